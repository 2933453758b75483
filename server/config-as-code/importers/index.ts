import type { ImportResult } from './assemble.js';
import { importLiteLLM } from './litellm.js';
import { importNewApi } from './new-api.js';

export type ImportSource = 'litellm' | 'new-api';
export type { ImportResult } from './assemble.js';

export function importConfig(source: ImportSource, text: string): ImportResult {
  switch (source) {
    case 'litellm':
      return importLiteLLM(text);
    case 'new-api':
      return importNewApi(text);
    default: {
      const _exhaustive: never = source;
      throw new Error(`unknown import source ${String(_exhaustive)}`);
    }
  }
}
