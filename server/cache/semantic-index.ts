/**
 * A bounded in-memory vector index for one (model, scope): entries are unit
 * vectors, so cosine similarity is a dot product. Search is a linear scan,
 * O(n·d) for n entries of dimension d — at the default bound (1,000 entries)
 * and a 1,536-dimension embedding that is about 1.5 M multiply-adds, well
 * under a millisecond; the oldest entry goes when the bound is reached.
 */
export class SemanticIndex {
  private readonly entries = new Map<string, Float32Array>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Adds (or moves to newest) an entry; returns its unit vector, undefined for a zero or non-finite vector. */
  add(key: string, vector: ArrayLike<number>): Float32Array | undefined {
    const unit = normalized(vector);
    if (!unit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, unit);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return unit;
  }

  remove(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** The most similar entry at or above `threshold`, if any. */
  nearest(vector: readonly number[], threshold: number): { key: string; similarity: number } | undefined {
    const query = normalized(vector);
    if (!query) return undefined;
    let best: { key: string; similarity: number } | undefined;
    for (const [key, candidate] of this.entries) {
      if (candidate.length !== query.length) continue;
      let dot = 0;
      for (let i = 0; i < query.length; i++) dot += query[i] * candidate[i];
      if (dot >= threshold && (!best || dot > best.similarity)) best = { key, similarity: dot };
    }
    return best;
  }
}

function normalized(vector: ArrayLike<number>): Float32Array | undefined {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  const scale = 1 / Math.sqrt(norm);
  return Float32Array.from(vector, (v) => v * scale);
}
