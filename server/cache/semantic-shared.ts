import type { Redis } from 'ioredis';
import type { CachePurge } from './types.js';

/** One stored answer's unit vector, as some instance wrote it. */
export interface SharedVector {
  key: string;
  vector: Float32Array;
}

/** Where one index's vectors are read from next (a stream id; `0-0` before the first read). */
export type VectorCursor = string;
export const FIRST_VECTOR: VectorCursor = '0-0';

/** Entries read per lookup at most, so a long absence catches up over a few lookups. */
const READ_BATCH = 500;

/**
 * Semantic-cache vectors shared by every instance (scale-out): one Redis
 * stream per (scope, model) index, trimmed near the index bound. Each
 * instance keeps its in-memory index and reads only what was appended since
 * its last read, so a lookup adds one XRANGE that is usually empty, and an
 * answer one instance stored can be served to a paraphrase on another. The
 * answers themselves are in the shared response cache; a vector whose answer
 * expired or was purged is dropped by the lookup that finds it.
 */
export class RedisSemanticVectors {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly maxEntries: number,
  ) {}

  private readonly streams = () => `${this.prefix}cache:streams`;
  private stream(scope: string, model: string): string {
    return `${this.prefix}cache:s:${scope}\n${model}`;
  }

  async append(scope: string, model: string, item: SharedVector, ttlMs: number): Promise<void> {
    const stream = this.stream(scope, model);
    const ttl = Math.max(1, Math.round(ttlMs));
    const bytes = Buffer.from(item.vector.buffer, item.vector.byteOffset, item.vector.byteLength);
    await this.client
      .multi()
      .xadd(stream, 'MAXLEN', '~', String(this.maxEntries), '*', 'k', item.key, 'v', bytes)
      .sadd(this.streams(), stream)
      // The stream lives as long as its longest-lived answer.
      .pexpire(stream, ttl, 'GT')
      .pexpire(stream, ttl, 'NX')
      .exec();
  }

  /** What was appended to the index after `cursor`, and the cursor to read from next. */
  async readAfter(scope: string, model: string, cursor: VectorCursor): Promise<{ cursor: VectorCursor; vectors: SharedVector[] }> {
    const rows = await this.client.xrangeBuffer(this.stream(scope, model), `(${cursor}`, '+', 'COUNT', READ_BATCH);
    const vectors: SharedVector[] = [];
    let next = cursor;
    for (const [id, fields] of rows) {
      next = id.toString();
      let key: string | undefined;
      let raw: Buffer | undefined;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const name = fields[i].toString();
        if (name === 'k') key = fields[i + 1].toString();
        else if (name === 'v') raw = fields[i + 1];
      }
      if (!key || !raw || raw.byteLength % 4 !== 0) continue;
      // Copied: a Float32Array needs 4-byte alignment, which a Buffer slice does not promise.
      vectors.push({ key, vector: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) });
    }
    return { cursor: next, vectors };
  }

  /** Drops the purged key's or model's streams (other instances drop their copies as lookups miss). */
  async purge(which: CachePurge): Promise<void> {
    const all = await this.client.smembers(this.streams());
    const base = `${this.prefix}cache:s:`;
    const gone = all.filter((stream) => {
      const [scope, model] = stream.slice(base.length).split('\n');
      return which.kind === 'model' ? model === which.model : scope === `key:${which.keyId}`;
    });
    if (!gone.length) return;
    await this.client
      .multi()
      .del(...gone)
      .srem(this.streams(), ...gone)
      .exec();
  }
}
