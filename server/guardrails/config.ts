import { MAX_PATTERN_LENGTH, RuleConfigError } from '../prompts/safe-regex.js';
import type { GuardrailConfig, GuardrailMode, GuardrailStage, ModerationSettings } from '../snapshot/guardrail-entry.js';
import { isDetectorName } from './detectors.js';
import { compileFinder, WORD_LABEL } from './find.js';

/** A guardrail setting that cannot be saved; `field` names it (`patterns.0.pattern`). */
export class GuardrailConfigError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'GuardrailConfigError';
  }
}

export const MAX_WORDS = 1_000;
export const MAX_PATTERNS = 50;
const MAX_WORD_LENGTH = 200;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const LABEL = /^[A-Z][A-Z0-9_]{0,23}$/;

export interface GuardrailDraft {
  name: string;
  mode: GuardrailMode;
  stage: GuardrailStage;
  config: GuardrailConfig;
}

const fail = (field: string, message: string): never => {
  throw new GuardrailConfigError(`${field}: ${message}`, field);
};

/**
 * Checks what an admin saves (or previews) and returns it normalized: names
 * that can stand in a log row and a metric label, known detectors, RE2
 * patterns that compile, bounded word lists, and a moderation block only on a
 * guardrail that blocks or logs.
 */
export function checkGuardrail(input: { name: string; mode: GuardrailMode; stage: GuardrailStage; config: GuardrailConfig }): GuardrailDraft {
  const { name, mode, stage, config } = input;
  if (!NAME.test(name)) fail('name', 'letters, digits, `_`, `.` and `-`, at most 64, starting with a letter or digit');
  const detectors = [...new Set(config.detectors)];
  detectors.forEach((d, i) => isDetectorName(d) || fail(`detectors.${i}`, `unknown detector "${d}"`));
  if (config.patterns.length > MAX_PATTERNS) fail('patterns', `at most ${MAX_PATTERNS}`);
  config.patterns.forEach((p, i) => {
    if (!LABEL.test(p.label) || p.label === WORD_LABEL) fail(`patterns.${i}.label`, 'capitals, digits and `_`, at most 24, starting with a capital (not WORD)');
    if (p.pattern.length > MAX_PATTERN_LENGTH) fail(`patterns.${i}.pattern`, `at most ${MAX_PATTERN_LENGTH} characters`);
  });
  const words = [...new Set(config.words.map((w) => w.trim()).filter(Boolean))];
  if (words.length > MAX_WORDS) fail('words', `at most ${MAX_WORDS}`);
  words.forEach((w, i) => w.length > MAX_WORD_LENGTH && fail(`words.${i}`, `at most ${MAX_WORD_LENGTH} characters`));
  const moderation = config.moderation ? checkModeration(config.moderation, mode) : undefined;
  if (!detectors.length && !config.patterns.length && !words.length && !moderation)
    fail('detectors', 'choose at least one detector, pattern, word or a moderation model');
  const normalized: GuardrailConfig = { detectors, patterns: config.patterns, words, ...(moderation ? { moderation } : {}) };
  try {
    compileFinder(normalized);
  } catch (error) {
    if (error instanceof RuleConfigError) fail(error.field, error.message.replace(/^[^:]*: /, ''));
    throw error;
  }
  return { name, mode, stage, config: normalized };
}

function checkModeration(m: ModerationSettings, mode: GuardrailMode): ModerationSettings {
  if (mode !== 'block' && mode !== 'log') fail('mode', 'a moderation check can only block or log');
  if (!m.model.trim()) fail('moderation.model', 'must name a model configured in the gateway');
  if (!Number.isInteger(m.timeoutMs) || m.timeoutMs < 50 || m.timeoutMs > 60_000) fail('moderation.timeoutMs', 'between 50 and 60000 ms');
  if (m.prompt !== undefined && m.prompt.length > 4_000) fail('moderation.prompt', 'at most 4000 characters');
  return { model: m.model.trim(), format: m.format, timeoutMs: m.timeoutMs, failClosed: m.failClosed, ...(m.prompt ? { prompt: m.prompt } : {}) };
}
