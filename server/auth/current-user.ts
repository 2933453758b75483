import type { Db } from '../db/client.js';
import { isRole, type AdminClaims, type TokenIssuer } from './jwt.js';

/**
 * Verifies an admin token and re-reads the user, so a deleted or demoted admin
 * loses their rights at once instead of when the token expires. The role comes
 * from the database, not the token; a token issued before the user's token
 * version was bumped (logout, password change) is refused.
 */
export async function currentUser(tokens: TokenIssuer, db: Db, token: string | null): Promise<AdminClaims | null> {
  if (!token) return null;
  const claims = await tokens.verify(token);
  if (!claims) return null;
  const user = await db.user.findUnique({ where: { id: claims.userId }, select: { id: true, email: true, role: true, tokenVersion: true, teamId: true } });
  if (!user || !isRole(user.role)) return null;
  // A team admin without a team has nothing to manage.
  if (user.role === 'team_admin' && !user.teamId) return null;
  if (user.tokenVersion !== claims.tokenVersion) return null;
  return { userId: user.id, email: user.email, role: user.role, tokenVersion: user.tokenVersion, teamId: user.teamId };
}
