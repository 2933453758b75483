import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogIndex, isNativeEntry, normalizeForSearch } from '../../server/catalog/search-index.js';
import { parseCatalog } from '../../server/catalog/validate.js';
import type { CatalogEntry } from '../../server/catalog/types.js';
import { REAL_SNAPSHOT_PATH } from './catalog-server.js';

const entry = (key: string, provider: string): CatalogEntry => ({ key, provider, mode: 'chat' });

describe('catalog search: words people type, the provider before resellers', () => {
  const index = new CatalogIndex([
    entry('openrouter/anthropic/claude-sonnet-4.5', 'openrouter'),
    entry('anthropic.claude-sonnet-4-5-20250929-v1:0', 'bedrock_converse'),
    entry('vertex_ai/claude-sonnet-4-5', 'vertex_ai-anthropic_models'),
    entry('claude-sonnet-4-5-20250929', 'anthropic'),
    entry('claude-sonnet-4-5', 'anthropic'),
    entry('claude-3-5-sonnet-20240620', 'anthropic'),
    entry('deepseek/deepseek-chat', 'deepseek'),
    entry('together_ai/deepseek-ai/DeepSeek-V3', 'together_ai'),
  ]);
  const keys = (text: string) => index.search({ text, take: 50 }).items.map((e) => e.key);

  it('reads dots, underscores and spaces as dashes', () => {
    expect(normalizeForSearch('Claude Sonnet 4.5')).toBe('claude-sonnet-4-5');
    expect(normalizeForSearch('vertex_ai/claude-3.5')).toBe('vertex-ai/claude-3-5');
  });

  it('finds claude-sonnet-4-5 for "claude sonnet 4.5", the native entry first', () => {
    expect(keys('claude sonnet 4.5')).toEqual([
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
      'openrouter/anthropic/claude-sonnet-4.5',
      'vertex_ai/claude-sonnet-4-5',
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
    ]);
    // Words in any order still have to occur.
    expect(keys('sonnet 3.5')).toEqual(['claude-3-5-sonnet-20240620']);
  });

  it('tells native entries from resellers', () => {
    expect(isNativeEntry(entry('deepseek/deepseek-chat', 'deepseek'))).toBe(true);
    expect(isNativeEntry(entry('gpt-4o', 'openai'))).toBe(true);
    expect(isNativeEntry(entry('azure/gpt-4o', 'azure'))).toBe(false);
    expect(isNativeEntry(entry('openrouter/openai/gpt-4o', 'openrouter'))).toBe(false);
    expect(keys('deepseek')).toEqual(['deepseek/deepseek-chat', 'together_ai/deepseek-ai/DeepSeek-V3']);
  });

  const real = existsSync(REAL_SNAPSHOT_PATH);
  it.skipIf(!real)('ranks the real snapshot the same way', () => {
    const full = new CatalogIndex(parseCatalog(readFileSync(REAL_SNAPSHOT_PATH, 'utf8')).entries);
    const top = full.search({ text: 'claude sonnet 4.5', take: 5 }).items;
    expect(top[0].key).toBe('claude-sonnet-4-5');
    expect(top.slice(0, 2).every((e) => e.provider === 'anthropic')).toBe(true);
  });
});
