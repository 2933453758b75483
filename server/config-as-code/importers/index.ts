import type { ImportResult } from './assemble.js';
import { importLiteLLM } from './litellm.js';
import { importChannels } from './new-api.js';

export type ImportSource = 'litellm' | 'new-api' | 'one-api';
export type { ImportResult } from './assemble.js';

export function importConfig(source: ImportSource, text: string): ImportResult {
  switch (source) {
    case 'litellm':
      return importLiteLLM(text);
    case 'new-api':
    case 'one-api':
      return importChannels(text, source);
    default: {
      const _exhaustive: never = source;
      throw new Error(`unknown import source ${String(_exhaustive)}`);
    }
  }
}
