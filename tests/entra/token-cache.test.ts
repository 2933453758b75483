/**
 * The in-memory token cache the Vertex and Entra ID credential steps share, with an
 * injected clock: one mint for concurrent requests, reuse until the refresh point
 * (five minutes before expiry, or halfway through a short lifetime), a still-valid
 * token kept when a refresh fails, and every live token known to the scrubber.
 */
import { describe, expect, test } from 'vitest';
import { TokenCache } from '../../server/proxy/providers/auth/token-cache.js';
import { scrubText } from '../../server/secrets/redactor.js';

function cacheAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, cache: new TokenCache(() => clock.now) };
}

describe('provider token cache', () => {
  test('concurrent requests share one mint', async () => {
    const { cache } = cacheAt();
    let mints = 0;
    const mint = async () => ({ token: `token-number-${++mints}`, expiresIn: 3600 });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => cache.get('k', mint)));
    expect(new Set(tokens)).toEqual(new Set(['token-number-1']));
    expect(mints).toBe(1);
  });

  test('reused until five minutes before expiry, then minted again', async () => {
    const { cache, clock } = cacheAt();
    let mints = 0;
    const mint = async () => ({ token: `token-number-${++mints}`, expiresIn: 3600 });
    await cache.get('k', mint);
    clock.now += 3600_000 - 5 * 60_000 - 1;
    expect(await cache.get('k', mint)).toBe('token-number-1');
    clock.now += 2;
    expect(await cache.get('k', mint)).toBe('token-number-2');
  });

  test('a short-lived token is refreshed halfway through its life', async () => {
    const { cache, clock } = cacheAt();
    let mints = 0;
    const mint = async () => ({ token: `short-token-${++mints}`, expiresIn: 60 });
    await cache.get('k', mint);
    clock.now += 29_000;
    expect(await cache.get('k', mint)).toBe('short-token-1');
    clock.now += 2_000;
    expect(await cache.get('k', mint)).toBe('short-token-2');
  });

  test('a failed refresh keeps serving the token while it is valid; an expired one is not served', async () => {
    const { cache, clock } = cacheAt();
    await cache.get('k', async () => ({ token: 'still-valid-token', expiresIn: 600 }));
    clock.now += 400_000;
    const failing = async () => {
      throw new Error('token endpoint down');
    };
    expect(await cache.get('k', failing)).toBe('still-valid-token');
    clock.now += 300_000;
    await expect(cache.get('k', failing)).rejects.toThrow('token endpoint down');
  });

  test('live tokens are scrubbed from text that leaves the gateway', async () => {
    const { cache } = cacheAt();
    await cache.get('k', async () => ({ token: 'minted-opaque-value-7q2w9e', expiresIn: 3600 }));
    expect(scrubText('upstream said: bad token minted-opaque-value-7q2w9e')).not.toContain('minted-opaque-value-7q2w9e');
    cache.clear();
  });
});
