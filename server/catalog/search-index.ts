import type { CatalogEntry } from './types.js';

export type Capability = 'tools' | 'vision' | 'reasoning';

export interface CatalogQuery {
  /** Words that must all occur in the key (case-insensitive substring). */
  text?: string;
  /** Exact `litellm_provider`. */
  provider?: string;
  mode?: string;
  /** Every listed capability must be declared true. */
  capabilities?: Capability[];
  skip?: number;
  take?: number;
}

export interface CatalogPage {
  total: number;
  items: CatalogEntry[];
}

const CAPABILITY_FIELD = { tools: 'supportsTools', vision: 'supportsVision', reasoning: 'supportsReasoning' } as const;

/** Providers selling their own models through their own API; everything else (routers, clouds) resells. */
const NATIVE_PROVIDERS = new Set([
  'openai',
  'text-completion-openai',
  'anthropic',
  'gemini',
  'deepseek',
  'mistral',
  'codestral',
  'xai',
  'cohere',
  'cohere_chat',
  'moonshot',
  'dashscope',
  'zai',
  'minimax',
  'perplexity',
  'voyage',
]);

/** Lower case with `.` `_` and spaces read as `-`, so "claude sonnet 4.5" finds `claude-sonnet-4-5` and `claude-sonnet-4.5`. */
export function normalizeForSearch(text: string): string {
  return text.toLowerCase().replace(/[._\s]+/g, '-');
}

/** A native entry is the provider's own model under its own key (`claude-sonnet-4-5`, `deepseek/deepseek-chat`). */
export function isNativeEntry(entry: Pick<CatalogEntry, 'key' | 'provider'>): boolean {
  return NATIVE_PROVIDERS.has(entry.provider) && entry.key.split('/').length <= 2;
}

/**
 * Read-only index over one catalog copy, built once when the copy is loaded.
 * Filters narrow to the smallest posting list (provider, mode, capability),
 * then a substring check runs on pre-lowercased keys. Entries are kept in key
 * order, so a page never needs a sort except for the ranking of text matches.
 */
export class CatalogIndex {
  readonly size: number;
  private readonly entries: CatalogEntry[];
  private readonly lowerKeys: string[];
  private readonly native: boolean[];
  private readonly byKey = new Map<string, CatalogEntry>();
  private readonly byProvider = new Map<string, number[]>();
  private readonly byMode = new Map<string, number[]>();
  private readonly byCapability = new Map<Capability, number[]>();
  private readonly all: number[];

  constructor(entries: readonly CatalogEntry[]) {
    this.entries = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.size = this.entries.length;
    this.lowerKeys = this.entries.map((e) => normalizeForSearch(e.key));
    this.native = this.entries.map(isNativeEntry);
    this.all = this.entries.map((_, i) => i);
    const push = <K>(map: Map<K, number[]>, key: K, i: number) => {
      const list = map.get(key);
      if (list) list.push(i);
      else map.set(key, [i]);
    };
    this.entries.forEach((e, i) => {
      this.byKey.set(e.key, e);
      push(this.byProvider, e.provider, i);
      push(this.byMode, e.mode, i);
      for (const cap of Object.keys(CAPABILITY_FIELD) as Capability[]) if (e[CAPABILITY_FIELD[cap]] === true) push(this.byCapability, cap, i);
    });
  }

  get(key: string): CatalogEntry | undefined {
    return this.byKey.get(key);
  }

  /** Providers with their entry counts, largest first. */
  providers(): { name: string; count: number }[] {
    return [...this.byProvider].map(([name, list]) => ({ name, count: list.length })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  }

  modes(): { name: string; count: number }[] {
    return [...this.byMode]
      .filter(([name]) => name)
      .map(([name, list]) => ({ name, count: list.length }))
      .sort((a, b) => b.count - a.count);
  }

  search(query: CatalogQuery): CatalogPage {
    const lists: number[][] = [];
    if (query.provider) lists.push(this.byProvider.get(query.provider) ?? []);
    if (query.mode) lists.push(this.byMode.get(query.mode) ?? []);
    for (const cap of query.capabilities ?? []) lists.push(this.byCapability.get(cap) ?? []);
    lists.sort((a, b) => a.length - b.length);
    const [base = this.all, ...rest] = lists;
    const others = rest.map((list) => new Set(list));
    const words = (query.text ?? '').split(/\s+/).filter(Boolean).map(normalizeForSearch);

    const hits: number[] = [];
    for (const i of base) {
      if (others.length && !others.every((set) => set.has(i))) continue;
      const key = this.lowerKeys[i];
      if (words.length && !words.every((w) => key.includes(w))) continue;
      hits.push(i);
    }
    // Text matches: the provider's own entries before resellers; within each, the exact name, then
    // names that start with the words, then the rest (each in key order).
    if (words.length > 0) {
      const phrase = words.join('-');
      const rank = (i: number) => {
        const key = this.lowerKeys[i];
        const last = key.slice(key.lastIndexOf('/') + 1);
        const match = key === phrase || last === phrase ? 0 : last.startsWith(phrase) ? 1 : 2;
        return (this.native[i] ? 0 : 3) + match;
      };
      const ranks = new Map(hits.map((i) => [i, rank(i)]));
      hits.sort((a, b) => ranks.get(a)! - ranks.get(b)! || a - b);
    }
    const skip = Math.max(0, query.skip ?? 0);
    const take = Math.min(200, Math.max(1, query.take ?? 25));
    return { total: hits.length, items: hits.slice(skip, skip + take).map((i) => this.entries[i]) };
  }
}
