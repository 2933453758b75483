import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.js';
import { hashPassword } from './passwords.js';

/**
 * On first start (no users yet) creates the admin account from ADMIN_EMAIL /
 * ADMIN_PASSWORD, or `admin@localhost` with a random password that is returned
 * so the caller can print it once.
 */
export async function ensureAdminUser(
  db: Db,
  configured: { email?: string; password?: string },
): Promise<{ created: boolean; email?: string; generatedPassword?: string }> {
  if ((await db.user.count()) > 0) return { created: false };
  const email = (configured.email ?? 'admin@localhost').toLowerCase();
  const generatedPassword = configured.password ? undefined : randomBytes(12).toString('base64url');
  const password = configured.password ?? generatedPassword!;
  try {
    await db.user.create({ data: { email, passwordHash: await hashPassword(password), role: 'admin' } });
  } catch (error) {
    // Replicas starting together on one empty database race here; the loser finds the admin made.
    if ((await db.user.count()) > 0) return { created: false };
    throw error;
  }
  return { created: true, email, generatedPassword };
}
