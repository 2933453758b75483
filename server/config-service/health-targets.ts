import { z } from 'zod';
import { checkConfigSchema, MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS } from '../health/check-config.js';
import type { ConfigSnapshot } from '../snapshot/types.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, unique } from './errors.js';
import { deleteOne, requireRow } from './delete-one.js';

const fields = {
  name: z.string().trim().min(1, 'is required').max(100),
  kind: z.enum(['model', 'virtual_model']),
  modelName: z.string().trim().min(1, 'is required').max(200),
  enabled: z.boolean(),
  intervalSeconds: z
    .number()
    .int()
    .min(MIN_INTERVAL_SECONDS, `must be at least ${MIN_INTERVAL_SECONDS}`)
    .max(MAX_INTERVAL_SECONDS, `must be at most ${MAX_INTERVAL_SECONDS}`),
  checkPrompt: z.string().trim().min(1, 'is required').max(2000),
  checkConfig: checkConfigSchema.nullable(),
};
export const createHealthTargetSchema = z
  .object(fields)
  .partial({ name: true, kind: true, enabled: true, intervalSeconds: true, checkPrompt: true, checkConfig: true });
export const updateHealthTargetSchema = z.object(fields).partial();
export type CreateHealthTarget = z.infer<typeof createHealthTargetSchema>;
export type UpdateHealthTarget = z.infer<typeof updateHealthTargetSchema>;

const DUPLICATE = 'This model already has a health target';

export interface HealthTargetsDeps extends EntityDeps {
  /** What the gateway serves now: a target must name one of its models or virtual models. */
  snapshot: { readonly current: ConfigSnapshot };
}

/** Health targets: models or virtual models checked on a schedule, at most one target per model. */
export function healthTargetsConfig(deps: HealthTargetsDeps) {
  const { db, snapshot } = deps;

  function assertServed(kind: 'model' | 'virtual_model', modelName: string): void {
    const snap = snapshot.current;
    const found = kind === 'model' ? snap.modelsByName.has(modelName) : snap.virtualModelsByName.has(modelName);
    if (!found) throw new ConfigInputError(`modelName: no ${kind === 'model' ? 'model' : 'virtual model'} named "${modelName}"`, 'modelName');
  }

  return {
    async create(actor: ConfigActor, data: CreateHealthTarget): Promise<string> {
      const kind = data.kind ?? 'model';
      assertServed(kind, data.modelName);
      const row = await unique(
        () => db.healthTarget.create({ data: { ...data, kind, name: data.name ?? data.modelName, checkConfig: data.checkConfig ?? undefined } }),
        DUPLICATE,
      );
      await deps.changed([{ actor, entity: 'healthTarget', action: 'create', id: row.id }]);
      return row.id;
    },

    async update(actor: ConfigActor, id: string, data: UpdateHealthTarget): Promise<void> {
      const existing = await requireRow(db.healthTarget, id, 'Health target');
      if (data.modelName !== undefined || data.kind !== undefined) {
        assertServed(data.kind ?? (existing.kind as 'model' | 'virtual_model'), data.modelName ?? existing.modelName);
      }
      await unique(
        () => db.healthTarget.update({ where: { id }, data: { ...data, checkConfig: data.checkConfig === null ? undefined : data.checkConfig } }),
        DUPLICATE,
      );
      await deps.changed([{ actor, entity: 'healthTarget', action: 'update', id }]);
    },

    async delete(actor: ConfigActor, id: string): Promise<void> {
      await deleteOne(deps, actor, 'healthTarget', 'Health target', db.healthTarget, id);
    },

    /** A target with default settings for every enabled chat model that has none yet; returns the new ids. */
    async addForAllModels(actor: ConfigActor): Promise<string[]> {
      const existing = new Set((await db.healthTarget.findMany({ where: { kind: 'model' }, select: { modelName: true } })).map((t) => t.modelName));
      const missing = [...snapshot.current.modelsByName.values()].filter(
        (m) => m.enabled && m.provider.enabled && m.mode !== 'embedding' && !existing.has(m.name),
      );
      const created: string[] = [];
      for (const model of missing) {
        const row = await db.healthTarget.create({ data: { name: model.name, kind: 'model', modelName: model.name } });
        created.push(row.id);
      }
      await deps.changed(created.map((id) => ({ actor, entity: 'healthTarget' as const, action: 'create' as const, id })));
      return created;
    },
  };
}
