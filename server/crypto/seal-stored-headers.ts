import type { Db } from '../db/client.js';
import type { SecretBox } from './secret-box.js';
import { hasPlainHeaders, sealPlainHeaders } from './sealed-headers.js';

/**
 * Seals provider header values stored in plain text by an older version, once
 * at start-up, so the database file never keeps a custom auth header readable.
 * Returns how many providers were rewritten.
 */
export async function sealStoredHeaders(db: Db, box: SecretBox, kind: 'sqlite' | 'postgres'): Promise<number> {
  const providers = await db.provider.findMany({ select: { id: true, headers: true } });
  const plain = providers.filter((p) => hasPlainHeaders(p.headers));
  if (plain.length === 0) return 0;
  // SQLite keeps an overwritten value in the page's free space and in the WAL unless told to zero
  // it; this runs once per upgraded database, so the extra writes do not matter.
  if (kind === 'sqlite') await db.$queryRawUnsafe('PRAGMA secure_delete = ON');
  for (const provider of plain) {
    await db.provider.update({ where: { id: provider.id }, data: { headers: sealPlainHeaders(provider.headers, box) as object } });
  }
  if (kind === 'sqlite') {
    await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.$queryRawUnsafe('PRAGMA secure_delete = OFF');
  }
  return plain.length;
}
