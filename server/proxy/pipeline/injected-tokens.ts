import { countTokens } from '../formats/shared/tokens.js';

// The same upstream instructions go out with every request: count each text once.
const counted = new Map<string, number>();

/** o200k token count of text the gateway injected (an estimate for non-OpenAI tokenizers). */
export function injectedTokenCount(text: string): number {
  if (!text) return 0;
  let n = counted.get(text);
  if (n === undefined) {
    n = countTokens(text);
    if (counted.size > 100) counted.clear();
    counted.set(text, n);
  }
  return n;
}
