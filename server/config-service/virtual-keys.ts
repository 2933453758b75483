import { z } from 'zod';
import { dbNull } from '../db/client.js';
import { generateVirtualKey } from '../keys/virtual-key-token.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, ConfigNotFoundError } from './errors.js';
import { endUserLimitsSchema, modelLimitsSchema, storedEndUserLimits, storedModelLimits } from './scoped-limits.js';
import { deleteOne } from './delete-one.js';

/** Virtual keys the admin UI's playground sends with: one per admin, marked as a system key. */
export const PLAYGROUND_PURPOSE = 'playground';

const limit = z.number().int().positive('must be a positive integer').nullable().optional();
const fields = {
  name: z.string().trim().min(1, 'is required').max(100),
  allowedModels: z.array(z.string().min(1)).max(1000).nullable().optional(),
  rpmLimit: limit,
  tpmLimit: limit,
  maxConcurrency: limit,
  budgetUsd: z.number().positive('must be positive').nullable().optional(),
  budgetPeriod: z.enum(['daily', 'monthly', 'total']).nullable().optional(),
  expiresAt: z.date().nullable().optional(),
  enabled: z.boolean().optional(),
  logBodies: z.boolean().optional(),
  teamId: z.string().min(1).nullable().optional(),
  modelLimits: modelLimitsSchema,
  endUserLimits: endUserLimitsSchema,
};
export const createVirtualKeySchema = z
  .object(fields)
  .refine((k) => !k.expiresAt || k.expiresAt.getTime() > Date.now(), { message: 'must be in the future', path: ['expiresAt'] });
export const updateVirtualKeySchema = z.object(fields).partial();
export type CreateVirtualKey = z.infer<typeof createVirtualKeySchema>;
export type UpdateVirtualKey = z.infer<typeof updateVirtualKeySchema>;

/** The longest grace period of a rotation: the old token works at most this long. */
export const MAX_ROTATION_GRACE_SECONDS = 90 * 86_400;
export const rotateVirtualKeySchema = z.object({
  gracePeriodSeconds: z.number().int().min(0, 'must be 0 or more').max(MAX_ROTATION_GRACE_SECONDS, 'must be at most 90 days'),
});
export type RotateVirtualKey = z.infer<typeof rotateVirtualKeySchema>;

/** Keys the gateway itself uses (health checks, the playground) are not revoked or deleted by hand. */
const systemKeyRefusal = (purpose: string) =>
  new ConfigInputError(
    purpose === 'monitoring'
      ? 'this is the health monitoring key: turn monitoring off in Settings instead'
      : `this is a system key (${purpose}) that the gateway manages`,
    'id',
  );

/** Virtual keys: only the hash of a key is stored, its plaintext is returned once. */
export function virtualKeysConfig(deps: EntityDeps) {
  const { db } = deps;
  const assertTeamExists = async (teamId: string | null | undefined) => {
    if (teamId && !(await db.team.findUnique({ where: { id: teamId }, select: { id: true } }))) throw new ConfigInputError('no such team', 'teamId');
  };
  return {
    async create(actor: ConfigActor, data: CreateVirtualKey): Promise<{ key: string; id: string }> {
      const { key, hash, prefix } = generateVirtualKey();
      const { modelLimits, endUserLimits, ...rest } = data;
      await assertTeamExists(data.teamId);
      const created = await db.virtualKey.create({
        data: {
          ...rest,
          allowedModels: data.allowedModels ?? undefined,
          modelLimits: storedModelLimits(modelLimits) ?? undefined,
          endUserLimits: storedEndUserLimits(endUserLimits) ?? undefined,
          keyHash: hash,
          keyPrefix: prefix,
        },
      });
      await deps.changed([{ actor, entity: 'virtualKey', action: 'create', id: created.id, after: created }]);
      return { key, id: created.id };
    },

    /**
     * A new token for the key; the current one keeps working until the deadline
     * (now + grace period), then is refused. A token still in its grace period from an
     * earlier rotation is refused at once: only the one just replaced stays valid.
     */
    async rotate(actor: ConfigActor, id: string, { gracePeriodSeconds }: RotateVirtualKey): Promise<{ key: string; id: string }> {
      const before = await db.virtualKey.findUnique({ where: { id } });
      if (!before) throw new ConfigNotFoundError('Virtual key');
      if (before.purpose !== 'app') throw systemKeyRefusal(before.purpose);
      if (before.revokedAt) throw new ConfigInputError('a revoked key cannot be rotated', 'id');
      const { key, hash, prefix } = generateVirtualKey();
      const now = Date.now();
      const after = await db.virtualKey.update({
        where: { id },
        data: {
          keyHash: hash,
          keyPrefix: prefix,
          previousKeyHash: gracePeriodSeconds > 0 ? before.keyHash : null,
          previousKeyExpiresAt: gracePeriodSeconds > 0 ? new Date(now + gracePeriodSeconds * 1000) : null,
          rotatedAt: new Date(now),
        },
      });
      await deps.changed([{ actor, entity: 'virtualKey', action: 'rotate', id, name: after.name, before, after }]);
      return { key, id };
    },

    async update(actor: ConfigActor, id: string, data: UpdateVirtualKey) {
      if (!(await db.virtualKey.findUnique({ where: { id }, select: { id: true } }))) throw new ConfigNotFoundError('Virtual key');
      const { allowedModels, modelLimits, endUserLimits, ...rest } = data;
      await assertTeamExists(data.teamId);
      const before = await db.virtualKey.findUnique({ where: { id } });
      const models = storedModelLimits(modelLimits);
      const endUsers = storedEndUserLimits(endUserLimits);
      const updated = await db.virtualKey.update({
        where: { id },
        data: {
          ...rest,
          ...(allowedModels !== undefined ? { allowedModels: allowedModels ?? dbNull(db) } : {}),
          ...(models !== undefined ? { modelLimits: models ?? dbNull(db) } : {}),
          ...(endUsers !== undefined ? { endUserLimits: endUsers ?? dbNull(db) } : {}),
        },
      });
      await deps.changed([{ actor, entity: 'virtualKey', action: 'update', id, name: updated.name, before, after: updated }]);
      return updated;
    },

    /** Revokes at once; the key stays listed as revoked. */
    async revoke(actor: ConfigActor, id: string) {
      const key = await db.virtualKey.findUnique({ where: { id } });
      if (!key) throw new ConfigNotFoundError('Virtual key');
      if (key.purpose !== 'app') throw systemKeyRefusal(key.purpose);
      const revoked = await db.virtualKey.update({ where: { id }, data: { revokedAt: new Date(), enabled: false } });
      await deps.changed([{ actor, entity: 'virtualKey', action: 'revoke', id, name: key.name, before: key, after: revoked }]);
      return revoked;
    },

    async delete(actor: ConfigActor, id: string): Promise<void> {
      await deleteOne(deps, actor, 'virtualKey', 'Virtual key', db.virtualKey, id, (key) => {
        if (key.purpose !== 'app') throw systemKeyRefusal(key.purpose);
      });
    },

    /**
     * A fresh plaintext for an admin's playground key (created on first use):
     * only the hash is stored, so a lost plaintext is replaced rather than read back.
     */
    async playgroundKey(actor: ConfigActor & { type: 'user' }): Promise<{ key: string; keyId: string; name: string }> {
      const name = `Playground · ${actor.email}`;
      const { key, hash, prefix } = generateVirtualKey();
      const existing = await db.virtualKey.findFirst({ where: { purpose: PLAYGROUND_PURPOSE, name, revokedAt: null }, select: { id: true } });
      const row = existing
        ? await db.virtualKey.update({ where: { id: existing.id }, data: { keyHash: hash, keyPrefix: prefix, enabled: true } })
        : await db.virtualKey.create({ data: { name, keyHash: hash, keyPrefix: prefix, purpose: PLAYGROUND_PURPOSE, logBodies: false } });
      await deps.changed([{ actor, entity: 'virtualKey', action: existing ? 'update' : 'create', id: row.id }]);
      return { key, keyId: row.id, name };
    },
  };
}
