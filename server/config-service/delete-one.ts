import type { ConfigActor, ConfigEntity } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigNotFoundError } from './errors.js';

/** How one entity's row is read and deleted by id. */
export interface DeleteOps<Row> {
  find(): Promise<Row | null>;
  remove(): Promise<{ count: number }>;
  /** A refusal for rows that must stay (e.g. system keys); throws. */
  guard?(row: Row): void;
}

/**
 * Deletes one row by id: refused as "not found" when nothing went, and
 * audited with the row as it was (its name and the before state).
 */
export async function deleteOne<Row extends object>(
  deps: EntityDeps,
  actor: ConfigActor,
  entity: ConfigEntity,
  label: string,
  id: string,
  ops: DeleteOps<Row>,
): Promise<void> {
  const before = await ops.find();
  if (before) ops.guard?.(before);
  const { count } = await ops.remove();
  if (count === 0 || !before) throw new ConfigNotFoundError(label);
  const name = 'name' in before && typeof before.name === 'string' ? before.name : undefined;
  await deps.changed([{ actor, entity, action: 'delete', id, name, before }]);
}
