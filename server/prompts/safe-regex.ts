import { createRequire } from 'node:module';
import type { RE2 } from 're2-wasm';
import { once } from '../core/once.js';

/**
 * Regular expressions for prompt rules run on RE2 (compiled to WebAssembly, no
 * native build): matching time is linear in the input, so no pattern can
 * backtrack catastrophically. The price is RE2's syntax: no lookaround and no
 * backreferences (refused when saved). Lengths are capped as well, so one rule
 * stays cheap on any request: patterns up to MAX_PATTERN_LENGTH characters,
 * and text parts longer than MAX_REGEX_INPUT characters are left as they are
 * by regex rules (literal rules have no cap).
 */
export const MAX_PATTERN_LENGTH = 1000;
export const MAX_REGEX_INPUT = 200_000;

export class RuleConfigError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'RuleConfigError';
  }
}

// RE2 objects own WebAssembly memory that is not reclaimed by the JS GC, so a
// pattern is compiled once per (pattern, flags) and reused across snapshot
// builds and previews. The cache is bounded; a pattern pushed out is simply
// compiled again when next needed.
const MAX_CACHED = 500;
const cache = new Map<string, RE2>();

// Loaded on the first pattern, not at start: the module instantiates its WebAssembly (about 16 MB
// of linear memory) on import, and a gateway without regex rules never needs it.
const re2 = once(() => (createRequire(import.meta.url)('re2-wasm') as { RE2: typeof RE2 }).RE2);

/** Compiles a user pattern with the global flag (and `i` when case-insensitive); throws RuleConfigError. */
export function compileSafeRegex(pattern: string, caseSensitive: boolean, field = 'match'): RE2 {
  if (pattern.length === 0) throw new RuleConfigError(`${field}: must not be empty`, field);
  if (pattern.length > MAX_PATTERN_LENGTH) throw new RuleConfigError(`${field}: a pattern may be at most ${MAX_PATTERN_LENGTH} characters`, field);
  const flags = caseSensitive ? 'gu' : 'giu';
  const key = `${flags}/${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let re: RE2;
  try {
    re = new (re2())(pattern, flags);
  } catch (error) {
    const reason = String((error as Error).message).replace(/^Invalid regular expression: \/.*\/\w*: /s, '');
    const hint = /perl operator|escape sequence: \\\d/.test(reason)
      ? ' (lookarounds and backreferences are not supported: patterns run on a linear-time engine)'
      : '';
    throw new RuleConfigError(`${field}: invalid regular expression: ${reason}${hint}`, field);
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, re);
  return re;
}

/** Literal text as a pattern, for case-insensitive literal matching. */
export function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
