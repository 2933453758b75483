/** A table whose rows a configuration file names (each name unique): a Prisma model delegate. */
interface NamedRows {
  findMany(args: { select: { id: true; name: true } }): PromiseLike<Array<{ id: string; name: string }>>;
}

/** The ids of a table's rows by name. */
export async function idsByName(table: NamedRows): Promise<Map<string, string>> {
  return new Map((await table.findMany({ select: { id: true, name: true } })).map((row) => [row.name, row.id]));
}

/** The id of the row named `name`; none is an error naming the file's field (`where`) and what it refers to. */
export function idNamed(ids: Map<string, string>, name: string, where: string, what: string): string {
  const id = ids.get(name);
  if (!id) throw new Error(`${where}: no ${what} named "${name}"`);
  return id;
}
