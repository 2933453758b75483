/** A table whose rows a configuration file names (each name unique): a Prisma model delegate. */
interface NamedRows {
  findMany(args: { select: { id: true; name: true } }): PromiseLike<Array<{ id: string; name: string }>>;
}

/** The ids of a table's rows by name. */
export async function idsByName(table: NamedRows): Promise<Map<string, string>> {
  return new Map((await table.findMany({ select: { id: true, name: true } })).map((row) => [row.name, row.id]));
}
