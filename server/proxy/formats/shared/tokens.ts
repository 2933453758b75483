import { createRequire } from 'node:module';

type Encoder = { countTokens(text: string): number };
const require = createRequire(import.meta.url);
let encoder: Encoder | undefined;

/**
 * Token count with the o200k encoding (gpt-tokenizer). Its tables cost about
 * 70 MB of memory, so they load on first use (count_tokens estimates, Gemini
 * embedding usage, relay accounting), not at start-up.
 */
export function countTokens(text: string): number {
  encoder ??= require('gpt-tokenizer/encoding/o200k_base') as Encoder;
  return encoder.countTokens(text);
}
