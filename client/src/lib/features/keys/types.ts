import { tr } from '$lib/i18n';
import type { VirtualKeysQuery } from '$lib/graphql/generated/graphql';

export type KeyRow = VirtualKeysQuery['virtualKeys']['nodes'][number];

export type KeyStatus = 'active' | 'disabled' | 'expired' | 'revoked';

/** Revoked wins over expired, expired over disabled: the most final state is the one shown. */
export function keyStatus(key: Pick<KeyRow, 'revokedAt' | 'expiresAt' | 'enabled'>, now = Date.now()): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return 'expired';
  if (!key.enabled) return 'disabled';
  return 'active';
}

/** Days before an expiry (or the end of a rotation's grace period) from which the keys list warns. */
export const EXPIRY_WARNING_DAYS = 7;

/** Whole days until a time, or null when it is past or farther than the warning window. */
export function daysUntil(at: string | null | undefined, now = Date.now(), window = EXPIRY_WARNING_DAYS): number | null {
  if (!at) return null;
  const ms = new Date(at).getTime() - now;
  return ms > 0 && ms <= window * 86_400_000 ? Math.max(1, Math.ceil(ms / 86_400_000)) : null;
}

export const BUDGET_PERIODS = [
  { value: 'daily', label: tr('keysTypes.perDay') },
  { value: 'monthly', label: tr('keysTypes.perMonth') },
  { value: 'total', label: tr('keysTypes.inTotal') },
] as const;
