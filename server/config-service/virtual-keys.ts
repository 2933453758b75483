import { z } from 'zod';
import { Prisma } from '../db/generated/sqlite/index.js';
import { generateVirtualKey } from '../keys/virtual-key-token.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, ConfigNotFoundError } from './errors.js';

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
};
export const createVirtualKeySchema = z
  .object(fields)
  .refine((k) => !k.expiresAt || k.expiresAt.getTime() > Date.now(), { message: 'must be in the future', path: ['expiresAt'] });
export const updateVirtualKeySchema = z.object(fields).partial();
export type CreateVirtualKey = z.infer<typeof createVirtualKeySchema>;
export type UpdateVirtualKey = z.infer<typeof updateVirtualKeySchema>;

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
  return {
    async create(actor: ConfigActor, data: CreateVirtualKey): Promise<{ key: string; id: string }> {
      const { key, hash, prefix } = generateVirtualKey();
      const created = await db.virtualKey.create({
        data: { ...data, allowedModels: data.allowedModels ?? undefined, keyHash: hash, keyPrefix: prefix },
      });
      await deps.changed([{ actor, entity: 'virtualKey', action: 'create', id: created.id }]);
      return { key, id: created.id };
    },

    async update(actor: ConfigActor, id: string, data: UpdateVirtualKey) {
      if (!(await db.virtualKey.findUnique({ where: { id }, select: { id: true } }))) throw new ConfigNotFoundError('Virtual key');
      const { allowedModels, ...rest } = data;
      const updated = await db.virtualKey.update({
        where: { id },
        data: { ...rest, ...(allowedModels !== undefined ? { allowedModels: allowedModels ?? Prisma.DbNull } : {}) },
      });
      await deps.changed([{ actor, entity: 'virtualKey', action: 'update', id }]);
      return updated;
    },

    /** Revokes at once; the key stays listed as revoked. */
    async revoke(actor: ConfigActor, id: string) {
      const key = await db.virtualKey.findUnique({ where: { id }, select: { purpose: true } });
      if (!key) throw new ConfigNotFoundError('Virtual key');
      if (key.purpose !== 'app') throw systemKeyRefusal(key.purpose);
      const revoked = await db.virtualKey.update({ where: { id }, data: { revokedAt: new Date(), enabled: false } });
      await deps.changed([{ actor, entity: 'virtualKey', action: 'revoke', id }]);
      return revoked;
    },

    async delete(actor: ConfigActor, id: string): Promise<void> {
      const key = await db.virtualKey.findUnique({ where: { id }, select: { purpose: true } });
      if (key && key.purpose !== 'app') throw systemKeyRefusal(key.purpose);
      const { count } = await db.virtualKey.deleteMany({ where: { id } });
      if (count === 0) throw new ConfigNotFoundError('Virtual key');
      await deps.changed([{ actor, entity: 'virtualKey', action: 'delete', id }]);
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
