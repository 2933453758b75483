/**
 * The one scrubber for text that leaves the process or reaches storage: error
 * bodies, stream error events, request-log messages and bodies, pino lines,
 * health runs, GraphQL errors, metrics.
 *
 * It knows two things: the secrets configured on this process (provider keys
 * and header values, the JWT and encryption keys, the monitoring and metrics
 * tokens), registered by source and compiled into ONE regular expression
 * together with the known key shapes; and, per call, secrets only the caller
 * knows (the virtual key a request presented). Scrubbing is one `replace` with
 * that precompiled matcher, so its cost does not grow with a loop over secrets.
 * Only text that leaves is scrubbed; the hot path's successful chunks are not.
 */

export const REDACTED = '[redacted]';

/**
 * Shorter values are too likely to be ordinary words to be replaced everywhere
 * (a local provider's placeholder key such as "ollama" is no secret); real keys
 * are far longer.
 */
export const MIN_SECRET_LENGTH = 8;

/**
 * Credential shapes, redacted even when not configured here (an upstream may
 * echo another key, a client may paste one). Order matters only for overlaps:
 * the longest-prefixed shapes come first.
 */
const KEY_SHAPES: readonly string[] = [
  // OpenAI (sk-…, sk-proj-…, sk-svcacct-…), Anthropic (sk-ant-…), this gateway's virtual keys (sk-gw-…)
  String.raw`\bsk-[A-Za-z0-9_*-]{8,}`,
  // Other key prefixes upstream messages echo (pk-…, rk-…, key-…, api_key-…); a digit in the
  // token keeps ordinary words such as `key_prefix` out.
  String.raw`\b(?:pk|rk|key|api[-_]?key)[-_](?=[A-Za-z_*-]*\d)[A-Za-z0-9_*-]{6,}`,
  // Google API keys
  String.raw`\bAIza[0-9A-Za-z_-]{20,}`,
  // xAI, Groq, Hugging Face, Replicate, GitHub tokens
  String.raw`\bxai-[A-Za-z0-9]{16,}`,
  String.raw`\bgsk_[A-Za-z0-9]{16,}`,
  String.raw`\bhf_[A-Za-z0-9]{16,}`,
  String.raw`\br8_[A-Za-z0-9]{16,}`,
  String.raw`\bgh[pousr]_[A-Za-z0-9]{20,}`,
  // AWS access key ids (long-term and temporary)
  String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  // JWTs (header.payload.signature, both first parts base64url JSON)
  String.raw`\beyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}`,
  // Whatever follows "Bearer " (the word stays, the token goes)
  String.raw`(?<=\bBearer\s{1,8})[A-Za-z0-9._~+/=-]{8,}`,
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(secrets: Iterable<string>): RegExp {
  // Longest first, so a secret that contains another is replaced whole.
  const literals = [...new Set(secrets)].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp([...literals, ...KEY_SHAPES].join('|'), 'g');
}

/** Short texts are scrubbed once and remembered: a request's URL, header values, model and user agent repeat. */
const MEMO_TEXT_MAX = 256;
const MEMO_ENTRIES = 2_048;

export class Redactor {
  private readonly sources = new Map<string, readonly string[]>();
  private matcher = compile([]);
  /** Scrubbed short texts by their input; emptied whenever the matcher changes. */
  private memo = new Map<string, string>();

  /** Replaces the secrets of one source (e.g. "snapshot:<instance>") and recompiles the matcher. */
  set(source: string, values: Iterable<string | null | undefined>): void {
    const kept: string[] = [];
    for (const value of values) {
      if (typeof value !== 'string') continue;
      const trimmed = value.trim();
      if (trimmed.length >= MIN_SECRET_LENGTH) kept.push(trimmed);
    }
    const previous = this.sources.get(source);
    if (previous && previous.length === kept.length && previous.every((v, i) => v === kept[i])) return;
    if (kept.length) this.sources.set(source, kept);
    else this.sources.delete(source);
    this.recompile();
  }

  delete(source: string): void {
    if (this.sources.delete(source)) this.recompile();
  }

  /**
   * The text with every known secret and key shape replaced by `[redacted]`.
   * `extra`: secrets only this caller knows (a request's presented key).
   */
  scrub(text: string, extra?: ReadonlyArray<string | null | undefined>): string {
    let out = text;
    if (extra) {
      // Request-scoped secrets are one or two values: a plain search beats recompiling.
      for (const secret of extra) {
        if (secret && secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.replaceAll(secret, REDACTED);
      }
    }
    if (out.length > MEMO_TEXT_MAX) return this.replaceAll(out);
    let scrubbed = this.memo.get(out);
    if (scrubbed === undefined) {
      scrubbed = this.replaceAll(out);
      if (this.memo.size >= MEMO_ENTRIES) this.memo.clear();
      this.memo.set(out, scrubbed);
    }
    return scrubbed;
  }

  private replaceAll(text: string): string {
    this.matcher.lastIndex = 0;
    return text.replace(this.matcher, REDACTED);
  }

  private recompile(): void {
    const all: string[] = [];
    for (const values of this.sources.values()) all.push(...values);
    this.matcher = compile(all);
    this.memo = new Map();
  }
}

/**
 * The process-wide scrubber. Process-wide on purpose: a log line, a stream
 * error or a GraphQL error does not know which instance's secrets it might
 * carry, and several instances in one process (tests) only add to the set.
 */
export const redactor = new Redactor();

/** Scrubs one text with the process-wide scrubber (see Redactor.scrub). */
export function scrubText(text: string, extra?: ReadonlyArray<string | null | undefined>): string {
  return redactor.scrub(text, extra);
}

/** Scrubs an optional text, keeping undefined / null as they are. */
export function scrubOptional<T extends string | null | undefined>(text: T, extra?: ReadonlyArray<string | null | undefined>): T {
  return (typeof text === 'string' ? redactor.scrub(text, extra) : text) as T;
}
