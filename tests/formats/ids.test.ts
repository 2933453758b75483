import { describe, expect, it } from 'vitest';
import { makeId } from '../../server/proxy/formats/shared/ids.js';

describe('API-style ids', () => {
  it('are the prefix and base64url of the asked bytes, all distinct across pool refills', () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => makeId(i % 2 ? 'msg_' : 'call_', i % 3 === 0 ? 24 : 12));
    expect(new Set(ids).size).toBe(ids.length);
    ids.forEach((id, i) => {
      const prefix = i % 2 ? 'msg_' : 'call_';
      expect(id.startsWith(prefix)).toBe(true);
      expect(id.slice(prefix.length)).toMatch(i % 3 === 0 ? /^[A-Za-z0-9_-]{32}$/ : /^[A-Za-z0-9_-]{16}$/);
    });
  });

  it('serves a request for more bytes than the pool holds', () => {
    expect(makeId('x', 5_000).length).toBe(1 + Math.ceil((5_000 * 4) / 3));
  });
});
