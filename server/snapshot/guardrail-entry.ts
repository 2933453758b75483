/**
 * A guardrail as the request path reads it: plain data from its row, checked
 * when it was saved (server/guardrails/config.ts). The guardrails plugin
 * compiles the entries of a snapshot once, on first use.
 */
import { isRecord } from '../core/guards.js';
export type GuardrailMode = 'mask' | 'redact' | 'block' | 'log';
export type GuardrailStage = 'request' | 'response' | 'both';

export interface GuardrailPattern {
  /** Placeholder label: capitals, digits, underscores (`[LABEL_1]`). */
  label: string;
  /** RE2 syntax. */
  pattern: string;
  caseSensitive: boolean;
}

export interface ModerationSettings {
  /** A gateway model name (its provider, key and wire format are used). */
  model: string;
  /** `openai-moderation`: POST {base}/moderations; `chat-verdict`: the model is asked for SAFE or FLAGGED. */
  format: 'openai-moderation' | 'chat-verdict';
  timeoutMs: number;
  /** true: a moderation call that fails or times out refuses the request; false: it goes on. */
  failClosed: boolean;
  /** The verdict instructions for `chat-verdict` (a default is used when absent). */
  prompt?: string;
}

export interface GuardrailConfig {
  detectors: string[];
  patterns: GuardrailPattern[];
  words: string[];
  moderation?: ModerationSettings;
}

export interface GuardrailEntry extends GuardrailConfig {
  id: string;
  name: string;
  mode: GuardrailMode;
  stage: GuardrailStage;
  enabled: boolean;
  keyIds: string[];
  virtualModelIds: string[];
}

const MODES: readonly string[] = ['mask', 'redact', 'block', 'log'];
const STAGES: readonly string[] = ['request', 'response', 'both'];
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The stored config JSON as typed data (anything unexpected is dropped, never trusted). */
export function guardrailConfig(value: unknown): GuardrailConfig {
  const c = isRecord(value) ? value : {};
  const patterns = Array.isArray(c.patterns)
    ? c.patterns
        .filter(isRecord)
        .flatMap((p) =>
          typeof p.label === 'string' && typeof p.pattern === 'string'
            ? [{ label: p.label, pattern: p.pattern, caseSensitive: p.caseSensitive !== false }]
            : [],
        )
    : [];
  const m = isRecord(c.moderation) ? c.moderation : undefined;
  const moderation: ModerationSettings | undefined =
    m && typeof m.model === 'string'
      ? {
          model: m.model,
          format: m.format === 'chat-verdict' ? 'chat-verdict' : 'openai-moderation',
          timeoutMs: typeof m.timeoutMs === 'number' && m.timeoutMs > 0 ? m.timeoutMs : 5_000,
          failClosed: m.failClosed === true,
          ...(typeof m.prompt === 'string' && m.prompt ? { prompt: m.prompt } : {}),
        }
      : undefined;
  return { detectors: strings(c.detectors), patterns, words: strings(c.words), ...(moderation ? { moderation } : {}) };
}

/** A Guardrail row → its snapshot entry. */
export function guardrailEntry(row: {
  id: string;
  name: string;
  mode: string;
  stage: string;
  enabled: boolean;
  config: unknown;
  keyIds: unknown;
  virtualModelIds: unknown;
}): GuardrailEntry {
  return {
    id: row.id,
    name: row.name,
    mode: (MODES.includes(row.mode) ? row.mode : 'log') as GuardrailMode,
    stage: (STAGES.includes(row.stage) ? row.stage : 'request') as GuardrailStage,
    enabled: row.enabled,
    ...guardrailConfig(row.config),
    keyIds: strings(row.keyIds),
    virtualModelIds: strings(row.virtualModelIds),
  };
}
