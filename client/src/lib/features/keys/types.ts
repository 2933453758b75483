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

export const BUDGET_PERIODS = [
  { value: 'daily', label: tr('keysTypes.perDay') },
  { value: 'monthly', label: tr('keysTypes.perMonth') },
  { value: 'total', label: tr('keysTypes.inTotal') },
] as const;
