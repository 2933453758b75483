import type { Db } from '../db/client.js';
import type { AdminClaims, TokenIssuer } from './jwt.js';

/**
 * Verifies an admin token and re-reads the user, so a deleted or demoted admin
 * loses their rights at once instead of when the token expires. The role comes
 * from the database, not the token.
 */
export async function currentUser(tokens: TokenIssuer, db: Db, token: string | null): Promise<AdminClaims | null> {
  if (!token) return null;
  const claims = await tokens.verify(token);
  if (!claims) return null;
  const user = await db.user.findUnique({ where: { id: claims.userId }, select: { id: true, email: true, role: true } });
  if (!user || (user.role !== 'admin' && user.role !== 'viewer')) return null;
  return { userId: user.id, email: user.email, role: user.role };
}
