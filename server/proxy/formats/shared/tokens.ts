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
 * budget per request (TOKENIZER_MAX_CHARS characters, and TIME_BUDGET_MS of
 * wall time) the rest is extrapolated from the part counted, so no single
 * request holds the event loop for long.
 *
 * The tables cost about 70 MB of memory, so they load on first use
 * (count_tokens estimates, Gemini embedding usage, relay accounting).
 */
const SEGMENT = 4096;
const MAX_RUN = 32;
/** Characters counted exactly by one call outside withTokenBudget. */
export const DEFAULT_TOKENIZER_MAX_CHARS = 50_000;
/** Wall time of exact counting per budget, whatever the characters: a loaded machine counts fewer. */
const TIME_BUDGET_MS = 30;
/** Characters per token assumed before any text was counted exactly. */
const FALLBACK_CHARS_PER_TOKEN = 4;

interface Budget {
  left: number;
  deadline: number;
  countedChars: number;
  countedTokens: number;
}

let active: Budget | undefined;

const freshBudget = (maxChars: number): Budget => ({ left: maxChars, deadline: performance.now() + TIME_BUDGET_MS, countedChars: 0, countedTokens: 0 });

/** Runs `work` (synchronous) with one budget of exactly counted characters for every countTokens call inside it. */
export function withTokenBudget<T>(maxChars: number, work: () => T): T {
  const outer = active;
  active = freshBudget(maxChars);
  try {
    return work();
  } finally {
    active = outer;
  }
}

export function countTokens(text: string): number {
  encoder ??= require('gpt-tokenizer/encoding/o200k_base') as Encoder;
  const budget = active ?? freshBudget(DEFAULT_TOKENIZER_MAX_CHARS);
  let tokens = 0;
  let counted = 0;
  const count = (end: number): boolean => {
    if (budget.left < end - counted || performance.now() > budget.deadline) return false;
    const piece = text.slice(counted, end);
    const n = encoder!.countTokens(piece);
    tokens += n;
    budget.left -= piece.length;
    budget.countedChars += piece.length;
    budget.countedTokens += n;
    counted = end;
    return true;
  };
  let within = true;
  if (text.length <= MAX_RUN) within = count(text.length);
  else {
    let runStart = 0;
    for (let i = 0; i < text.length && within; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d) {
        // Cut before a space that follows a word: a boundary the tokenizer has too.
        if (i - counted >= SEGMENT && runStart < i) within = count(i);
        runStart = i + 1;
      } else if (i - runStart >= MAX_RUN && !isLowSurrogate(code)) {
        within = count(i);
        runStart = i;
      }
    }
    if (within) within = count(text.length);
  }
  if (counted === text.length) return tokens;
  // Out of budget: the rest at the rate measured so far.
  budget.left = 0;
  const charsPerToken = budget.countedTokens > 0 && budget.countedChars >= 1000 ? budget.countedChars / budget.countedTokens : FALLBACK_CHARS_PER_TOKEN;
  return tokens + Math.ceil((text.length - counted) / charsPerToken);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
