import type { Db } from '../db/client.js';
import type { SecretBox } from './secret-box.js';
import { hasPlainHeaders, sealPlainHeaders } from './sealed-headers.js';
import { hasPlainDefaultHeaders, sealPlainDefaultHeaders } from './sealed-request-defaults.js';

/**
 * Seals header values stored in plain text by an older version (provider extra
 * headers and models' request-default headers), once at start-up, so the
 * database file never keeps a custom auth header readable. Returns how many
 * rows (providers and models) were rewritten.
 */
export async function sealStoredHeaders(db: Db, box: SecretBox, kind: 'sqlite' | 'postgres'): Promise<number> {
  const providers = (await db.provider.findMany({ select: { id: true, headers: true } })).filter((p) => hasPlainHeaders(p.headers));
  const models = (await db.model.findMany({ select: { id: true, requestDefaults: true } })).filter((m) => hasPlainDefaultHeaders(m.requestDefaults));
  if (providers.length === 0 && models.length === 0) return 0;
  // SQLite keeps an overwritten value in the page's free space and in the WAL unless told to zero
  // it; this runs once per upgraded database, so the extra writes do not matter.
  if (kind === 'sqlite') await db.$queryRawUnsafe('PRAGMA secure_delete = ON');
  for (const provider of providers) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: a Record is not Prisma's InputJsonValue
    await db.provider.update({ where: { id: provider.id }, data: { headers: sealPlainHeaders(provider.headers, box) as object } });
  }
  for (const model of models) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: a Record is not Prisma's InputJsonValue
    await db.model.update({ where: { id: model.id }, data: { requestDefaults: sealPlainDefaultHeaders(model.requestDefaults, box) as object } });
  }
  if (kind === 'sqlite') {
    await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.$queryRawUnsafe('PRAGMA secure_delete = OFF');
  }
  return providers.length + models.length;
}
