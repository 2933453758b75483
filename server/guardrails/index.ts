export { useGuardrails } from './plugin.js';
export { DETECTORS, isDetectorName, PII_DETECTORS, type DetectorName } from './detectors.js';
export { checkGuardrail, GuardrailConfigError, type GuardrailDraft } from './config.js';
export { previewGuardrail, type GuardrailPreview } from './preview.js';
export { DEFAULT_VERDICT_PROMPT } from './moderation.js';
