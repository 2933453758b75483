import { z } from 'zod';
import { dbNull, type Db } from '../db/client.js';
import type { Prisma } from '../db/generated/sqlite/index.js';
import { filledCacheSettings, type CacheSettings } from '../snapshot/cache-settings.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, ConfigNotFoundError } from './errors.js';

/** Response-cache settings of a virtual key or virtual model, as written (docs/CACHING.md). */
export const cacheSettingsSchema = z.object({
  enabled: z.boolean(),
  ttlSeconds: z.number().int().positive('must be a positive number of seconds').max(31_536_000, 'must be at most a year').nullable().optional(),
  shared: z.boolean().nullable().optional(),
  clientControl: z.boolean().nullable().optional(),
  semantic: z
    .object({
      enabled: z.boolean(),
      embeddingModel: z.string().trim().min(1, 'is required'),
      threshold: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1').nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type CacheSettingsInput = z.infer<typeof cacheSettingsSchema>;

const json = (db: Db, settings: CacheSettings | null) => (settings ? (settings as unknown as Prisma.InputJsonValue) : dbNull(db));

/** Cache settings of keys and virtual models, and auto prompt caching of models; null settings restore the defaults. */
export function cacheConfig(deps: EntityDeps) {
  const { db } = deps;
  return {
    async setVirtualKeyCache(actor: ConfigActor, id: string, input: CacheSettingsInput | null) {
      if (input?.semantic) throw new ConfigInputError('the semantic cache is set on virtual models, not keys', 'semantic');
      if (!(await db.virtualKey.findUnique({ where: { id }, select: { id: true } }))) throw new ConfigNotFoundError('Virtual key');
      const updated = await db.virtualKey.update({ where: { id }, data: { cache: json(db, input ? filledCacheSettings(input) : null) } });
      await deps.changed([{ actor, entity: 'virtualKey', action: 'update', id }]);
      return updated;
    },

    async setVirtualModelCache(actor: ConfigActor, id: string, input: CacheSettingsInput | null) {
      if (!(await db.virtualModel.findUnique({ where: { id }, select: { id: true } }))) throw new ConfigNotFoundError('Virtual model');
      const settings = input ? filledCacheSettings(input) : null;
      if (settings?.semantic && !(await db.model.findUnique({ where: { name: settings.semantic.embeddingModel }, select: { id: true } }))) {
        throw new ConfigInputError(`no model named "${settings.semantic.embeddingModel}"`, 'semantic.embeddingModel');
      }
      const updated = await db.virtualModel.update({ where: { id }, data: { cache: json(db, settings) } });
      await deps.changed([{ actor, entity: 'virtualModel', action: 'update', id }]);
      return updated;
    },

    async setModelAutoPromptCache(actor: ConfigActor, id: string, enabled: boolean) {
      if (!(await db.model.findUnique({ where: { id }, select: { id: true } }))) throw new ConfigNotFoundError('Model');
      const updated = await db.model.update({ where: { id }, data: { autoPromptCache: enabled } });
      await deps.changed([{ actor, entity: 'model', action: 'update', id }]);
      return updated;
    },
  };
}
