// Prisma CLI configuration. Engines run as WebAssembly through driver adapters,
// so no native engine is downloaded (see docs/ARCHITECTURE.md, "Storage").
import path from 'node:path';
import type { PrismaConfig } from 'prisma';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';

const databaseUrl = process.env.DATABASE_URL ?? '';
const isPostgres = /^postgres(ql)?:\/\//.test(databaseUrl);
const dbPath = path.resolve(process.env.DB_PATH ?? './data/gateway.db');

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: isPostgres ? 'prisma/postgres/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: isPostgres ? 'prisma/postgres/migrations' : 'prisma/migrations' },
  adapter: async () =>
    isPostgres ? new PrismaPg({ connectionString: databaseUrl }) : new PrismaBetterSQLite3({ url: `file:${dbPath}` }),
} satisfies PrismaConfig;
