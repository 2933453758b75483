import { z } from 'zod';
import type { Db } from '../db/client.js';
import { routeOptionsSchema } from '../snapshot/route-options.js';
import { publicName, withoutNullish } from './fields.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, unique } from './errors.js';
import { deleteOne, requireRow } from './delete-one.js';

const nonNegative = z.number().int().min(0, 'must not be negative');
const targetSchema = z.object({
  modelId: z.string().min(1, 'is required'),
  weight: z.number().int().min(0, 'must not be negative').max(10_000).nullish(),
  priority: nonNegative.max(10_000).nullish(),
});
const fields = {
  name: publicName,
  description: z.string().max(2000).nullish(),
  strategy: z.enum(['LOAD_BALANCE', 'FAILOVER', 'LEAST_LATENCY']),
  targets: z.array(targetSchema).min(1, 'a virtual model needs at least one target').max(50),
  options: routeOptionsSchema.partial().nullish(),
  enabled: z.boolean().nullish(),
};
export const createVirtualModelSchema = z.object(fields);
export const updateVirtualModelSchema = z.object(fields).partial();
export type CreateVirtualModel = z.infer<typeof createVirtualModelSchema>;
export type UpdateVirtualModel = z.infer<typeof updateVirtualModelSchema>;
type Target = z.infer<typeof targetSchema>;

/** Targets must be real models; a route naming itself or another route (a cycle) is refused. */
async function checkTargets(db: Db, targets: Target[], selfName?: string) {
  const ids = [...new Set(targets.map((t) => t.modelId))];
  const models = await db.model.findMany({ where: { id: { in: ids } }, select: { id: true } });
  const found = new Set(models.map((m) => m.id));
  for (const [i, target] of targets.entries()) {
    if (found.has(target.modelId)) continue;
    const route = await db.virtualModel.findFirst({ where: { OR: [{ id: target.modelId }, { name: target.modelId }] } });
    if (route || target.modelId === selfName) {
      throw new ConfigInputError(`targets.${i}.modelId: a virtual model cannot target itself or another virtual model (route cycle)`, `targets.${i}.modelId`);
    }
    throw new ConfigInputError(`targets.${i}.modelId: no such model (was it deleted?)`, `targets.${i}.modelId`);
  }
  if (ids.length !== targets.length) throw new ConfigInputError('targets: each model may appear only once', 'targets');
}

/** Models and virtual models share one name space (clients ask for either by name). */
async function checkNameFree(db: Db, name: string) {
  if (await db.model.findUnique({ where: { name } })) throw new ConfigInputError(`name: "${name}" is already the name of a model`, 'name');
}

const targetRows = (targets: Target[]) => targets.map((t, i) => ({ modelId: t.modelId, weight: t.weight ?? 1, priority: t.priority ?? i }));
const duplicate = (name: string | undefined) => `A virtual model named "${name}" already exists`;

/** Virtual models (routes) and their targets; targets are replaced as a whole. */
export function virtualModelsConfig(deps: EntityDeps) {
  const { db } = deps;
  return {
    async create(actor: ConfigActor, data: CreateVirtualModel) {
      await checkNameFree(db, data.name);
      await checkTargets(db, data.targets, data.name);
      const created = await unique(
        () =>
          db.virtualModel.create({
            data: {
              name: data.name,
              description: data.description ?? null,
              strategy: data.strategy,
              options: withoutNullish(data.options ?? {}),
              enabled: data.enabled ?? true,
              targets: { create: targetRows(data.targets) },
            },
          }),
        duplicate(data.name),
      );
      await deps.changed([{ actor, entity: 'virtualModel', action: 'create', id: created.id }]);
      return created;
    },

    async update(actor: ConfigActor, id: string, data: UpdateVirtualModel) {
      const existing = await requireRow(db.virtualModel, id, 'Virtual model');
      if (data.name && data.name !== existing.name) await checkNameFree(db, data.name);
      if (data.targets) await checkTargets(db, data.targets, existing.name);
      const updated = await unique(
        () =>
          db.$transaction(async (tx) => {
            if (data.targets) await tx.virtualModelTarget.deleteMany({ where: { virtualModelId: existing.id } });
            return tx.virtualModel.update({
              where: { id: existing.id },
              data: {
                ...(data.name ? { name: data.name } : {}),
                ...(data.description !== undefined ? { description: data.description } : {}),
                ...(data.strategy ? { strategy: data.strategy } : {}),
                ...(data.options ? { options: { ...(existing.options as object | null), ...withoutNullish(data.options) } } : {}),
                ...(data.enabled !== undefined && data.enabled !== null ? { enabled: data.enabled } : {}),
                ...(data.targets ? { targets: { create: targetRows(data.targets) } } : {}),
              },
            });
          }),
        duplicate(data.name),
      );
      await deps.changed([{ actor, entity: 'virtualModel', action: 'update', id }]);
      return updated;
    },

    async delete(actor: ConfigActor, id: string): Promise<void> {
      await deleteOne(deps, actor, 'virtualModel', 'Virtual model', db.virtualModel, id);
    },
  };
}
