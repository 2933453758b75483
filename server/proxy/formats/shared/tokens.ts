import { createRequire } from 'node:module';

type Encoder = { countTokens(text: string): number };
const require = createRequire(import.meta.url);
let encoder: Encoder | undefined;

/**
 * Token counts with the o200k encoding (gpt-tokenizer), bounded in work.
 *
 * BPE merging is roughly quadratic in the length of one pre-token, and a run
 * of letters (or combining marks) without spaces is one pre-token: 90 KB of
 * letters took ten seconds. So text is counted in pieces: cut at a space about
 * every SEGMENT characters (where the tokenizer would split anyway, so the
 * count does not change), and a run without whitespace is cut every MAX_RUN
 * characters (a few tokens of difference on text no one writes). Beyond a
 * budget of characters per request the rest is extrapolated from the part
 * counted, so no single request holds the event loop for long.
 *
 * The tables cost about 70 MB of memory, so they load on first use
 * (count_tokens estimates, Gemini embedding usage, relay accounting).
 */
const SEGMENT = 4096;
const MAX_RUN = 64;
/** Characters counted exactly by one call outside withTokenBudget. */
export const DEFAULT_TOKENIZER_MAX_CHARS = 100_000;
/** Characters per token assumed before any text was counted exactly. */
const FALLBACK_CHARS_PER_TOKEN = 4;

interface Budget {
  left: number;
  countedChars: number;
  countedTokens: number;
}

let active: Budget | undefined;

/** Runs `work` (synchronous) with one budget of exactly counted characters for every countTokens call inside it. */
export function withTokenBudget<T>(maxChars: number, work: () => T): T {
  const outer = active;
  active = { left: maxChars, countedChars: 0, countedTokens: 0 };
  try {
    return work();
  } finally {
    active = outer;
  }
}

export function countTokens(text: string): number {
  const budget = active ?? { left: DEFAULT_TOKENIZER_MAX_CHARS, countedChars: 0, countedTokens: 0 };
  if (text.length <= budget.left) return countExactly(text, budget);
  const head = safeCut(text, Math.max(0, budget.left));
  const exact = head > 0 ? countExactly(text.slice(0, head), budget) : 0;
  budget.left = 0;
  const charsPerToken = budget.countedTokens > 0 && budget.countedChars >= 1000 ? budget.countedChars / budget.countedTokens : FALLBACK_CHARS_PER_TOKEN;
  return exact + Math.ceil((text.length - head) / charsPerToken);
}

function countExactly(text: string, budget: Budget): number {
  encoder ??= require('gpt-tokenizer/encoding/o200k_base') as Encoder;
  budget.left -= text.length;
  let tokens = 0;
  if (text.length <= MAX_RUN) tokens = encoder.countTokens(text);
  else {
    let start = 0;
    let runStart = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const space = code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
      if (space) {
        // Cut before a space that follows a word: a boundary the tokenizer has too.
        if (i - start >= SEGMENT && runStart < i) {
          tokens += encoder.countTokens(text.slice(start, i));
          start = i;
        }
        runStart = i + 1;
      } else if (i - runStart >= MAX_RUN && !isLowSurrogate(code)) {
        tokens += encoder.countTokens(text.slice(start, i));
        start = runStart = i;
      }
    }
    tokens += encoder.countTokens(text.slice(start));
  }
  budget.countedChars += text.length;
  budget.countedTokens += tokens;
  return tokens;
}

/** `at`, moved back one if it would split a surrogate pair. */
function safeCut(text: string, at: number): number {
  return at > 0 && at < text.length && isLowSurrogate(text.charCodeAt(at)) ? at - 1 : at;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
