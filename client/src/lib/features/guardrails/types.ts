import type { GuardrailDetector, GuardrailMode, GuardrailStage } from '$lib/graphql/generated/graphql';
import { tr } from '$lib/i18n';

export const MODES: GuardrailMode[] = ['MASK', 'REDACT', 'BLOCK', 'LOG'];
export const STAGES: GuardrailStage[] = ['REQUEST', 'RESPONSE', 'BOTH'];
export const DETECTORS: GuardrailDetector[] = ['EMAIL', 'PHONE', 'PAYMENT_CARD', 'IBAN', 'CN_RESIDENT_ID', 'IP_ADDRESS', 'SECRET'];

export function modeLabel(mode: GuardrailMode): string {
  switch (mode) {
    case 'MASK':
      return tr('guardrailsPage.modeMask');
    case 'REDACT':
      return tr('guardrailsPage.modeRedact');
    case 'BLOCK':
      return tr('guardrailsPage.modeBlock');
    case 'LOG':
      return tr('guardrailsPage.modeLog');
    default: {
      const _exhaustive: never = mode;
      return String(_exhaustive);
    }
  }
}

export function stageLabel(stage: GuardrailStage): string {
  switch (stage) {
    case 'REQUEST':
      return tr('guardrailsPage.stageRequest');
    case 'RESPONSE':
      return tr('guardrailsPage.stageResponse');
    case 'BOTH':
      return tr('guardrailsPage.stageBoth');
    default: {
      const _exhaustive: never = stage;
      return String(_exhaustive);
    }
  }
}

export function detectorLabel(detector: GuardrailDetector): string {
  switch (detector) {
    case 'EMAIL':
      return tr('guardrailsPage.detectorEmail');
    case 'PHONE':
      return tr('guardrailsPage.detectorPhone');
    case 'PAYMENT_CARD':
      return tr('guardrailsPage.detectorCard');
    case 'IBAN':
      return tr('guardrailsPage.detectorIban');
    case 'CN_RESIDENT_ID':
      return tr('guardrailsPage.detectorCnId');
    case 'IP_ADDRESS':
      return tr('guardrailsPage.detectorIp');
    case 'SECRET':
      return tr('guardrailsPage.detectorSecret');
    default: {
      const _exhaustive: never = detector;
      return String(_exhaustive);
    }
  }
}

/** `LABEL: pattern` per line ↔ patterns (the label names the placeholder). */
export function parsePatterns(text: string): Array<{ label: string; pattern: string }> {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf(':');
      return at > 0 ? { label: line.slice(0, at).trim(), pattern: line.slice(at + 1).trim() } : { label: 'PATTERN', pattern: line };
    });
}

export const formatPatterns = (patterns: ReadonlyArray<{ label: string; pattern: string }>): string =>
  patterns.map((p) => `${p.label}: ${p.pattern}`).join('\n');
