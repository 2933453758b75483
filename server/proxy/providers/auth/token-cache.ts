import { redactor } from '../../../secrets/redactor.js';

interface Entry {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms after which a new token is minted (before expiry, so no request carries a dying one). */
  refreshAt: number;
}

export interface MintedToken {
  token: string;
  /** Lifetime in seconds, as the token endpoint said. */
  expiresIn: number;
}

/** Live tokens are secrets too: every one is known to the scrubber while it is cached. */
const SCRUBBER_SOURCE = 'provider-access-tokens';

/**
 * Access tokens minted for providers (Google service accounts, Entra ID), kept
 * in memory by credential and refreshed a while before they expire: at the
 * latest five minutes before, or halfway through a short lifetime. Concurrent
 * requests for one credential share a single mint.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly minting = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string, mint: () => Promise<MintedToken>): Promise<string> {
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && now < entry.refreshAt) return entry.token;
    let pending = this.minting.get(key);
    if (!pending) {
      pending = this.mint(key, mint).finally(() => this.minting.delete(key));
      this.minting.set(key, pending);
    }
    // A token still valid serves while its successor is minted; a failed mint then falls back to it.
    if (entry && now < entry.expiresAt) return pending.catch(() => entry.token);
    return pending;
  }

  clear(): void {
    this.entries.clear();
    redactor.delete(SCRUBBER_SOURCE);
  }

  private async mint(key: string, mint: () => Promise<MintedToken>): Promise<string> {
    const { token, expiresIn } = await mint();
    const now = this.now();
    const lifetimeMs = Math.max(0, expiresIn) * 1000;
    const margin = Math.min(5 * 60_000, lifetimeMs / 2);
    this.entries.set(key, { token, expiresAt: now + lifetimeMs, refreshAt: now + lifetimeMs - margin });
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
    redactor.set(
      SCRUBBER_SOURCE,
      [...this.entries.values()].map((e) => e.token),
    );
    return token;
  }
}

/** The process-wide cache the providers' credential steps share. */
export const providerTokens = new TokenCache();
