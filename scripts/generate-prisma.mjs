// Generates the Prisma clients after install. prisma/schema.prisma (SQLite) is the
// one source of truth; prisma/postgres/schema.prisma is derived from it here, with
// only the datasource provider and the client output changed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = readFileSync(join(root, 'prisma/schema.prisma'), 'utf8');

export function derivePostgresSchema(text) {
  return (
    '// GENERATED from prisma/schema.prisma by scripts/generate-prisma.mjs. Do not edit.\n' +
    text
      .replace(/generator pothos \{[^}]*\}\n\n/, '')
      .replace('provider = "sqlite"', 'provider = "postgresql"')
      .replace('url      = "file:./dev.db"', 'url      = "postgresql://localhost/gateway"')
      .replace('output          = "../server/db/generated/sqlite"', 'output          = "../../server/db/generated/postgres"')
  );
}

mkdirSync(join(root, 'prisma/postgres'), { recursive: true });
writeFileSync(join(root, 'prisma/postgres/schema.prisma'), derivePostgresSchema(source));

const prisma = join(root, 'node_modules/.bin/prisma');
for (const schema of ['prisma/schema.prisma', 'prisma/postgres/schema.prisma']) {
  execFileSync(prisma, ['generate', '--schema', schema], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}
