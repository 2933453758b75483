/** Which database the gateway stores in, and where. */
export type DbKind = 'sqlite' | 'postgres';

export interface DbTarget {
  kind: DbKind;
  /** SQLite file path, or PostgreSQL connection string. */
  location: string;
}

export function dbTarget(config: { databaseUrl?: string; dbPath: string }): DbTarget {
  return config.databaseUrl ? { kind: 'postgres', location: config.databaseUrl } : { kind: 'sqlite', location: config.dbPath };
}
