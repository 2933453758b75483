import type { ConfigActor, ConfigEntity } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigNotFoundError } from './errors.js';

/** A table whose rows are read and deleted by id (a Prisma model delegate). */
export interface RowsById<Row> {
  findUnique(args: { where: { id: string } }): PromiseLike<Row | null>;
  deleteMany(args: { where: { id: string } }): PromiseLike<{ count: number }>;
}

/** The row with this id, or "not found" (`label` names the entity). */
export async function requireRow<Row>(table: Pick<RowsById<Row>, 'findUnique'>, id: string, label: string): Promise<Row> {
  const row = await table.findUnique({ where: { id } });
  if (!row) throw new ConfigNotFoundError(label);
  return row;
}

/**
 * Deletes one row by id: refused as "not found" when nothing went, and
 * audited with the row as it was (its name and the before state).
 * `guard` refuses rows that must stay (e.g. system keys) by throwing.
 */
export async function deleteOne<Row extends object>(
  deps: EntityDeps,
  actor: ConfigActor,
  entity: ConfigEntity,
  label: string,
  table: RowsById<Row>,
  id: string,
  guard?: (row: Row) => void,
): Promise<void> {
  const before = await table.findUnique({ where: { id } });
  if (before) guard?.(before);
  const { count } = await table.deleteMany({ where: { id } });
  if (count === 0 || !before) throw new ConfigNotFoundError(label);
  const name = 'name' in before && typeof before.name === 'string' ? before.name : undefined;
  await deps.changed([{ actor, entity, action: 'delete', id, name, before }]);
}
