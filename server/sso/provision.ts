import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords.js';
import type { Db } from '../db/client.js';
import type { StoredSsoSettings } from '../settings/sso-settings.js';

/** Why a signed-in identity gets no session; the message is shown on the login page. */
export class SsoRefusal extends Error {}

/** Highest privilege first: a member of several mapped groups gets the strongest role. */
const ROLE_RANK: Record<string, number> = { admin: 3, team_admin: 2, viewer: 1 };

/** The groups in a claim: a list of strings, or one string (some providers send a single group so). */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

/** The role the groups map to, or the default role when none of them is mapped. */
export function roleFor(groups: readonly string[], settings: Pick<StoredSsoSettings, 'groupRoles' | 'defaultRole'>): string {
  const mapped = settings.groupRoles.filter((m) => groups.includes(m.group)).map((m) => m.role);
  return mapped.sort((a, b) => (ROLE_RANK[b] ?? 0) - (ROLE_RANK[a] ?? 0))[0] ?? settings.defaultRole;
}

/** The team of the first mapping (in the configured order) whose group the user is in, else null. */
export function teamFor(groups: readonly string[], settings: Pick<StoredSsoSettings, 'groupTeams'>): string | null {
  return (settings.groupTeams ?? []).find((m) => groups.includes(m.group))?.teamId ?? null;
}

/**
 * Role and team as one consistent pair: an admin sees everything and is in no team;
 * a team admin without a team would have nothing to manage (and no session), so signs in as a viewer.
 */
export function settleMembership(role: string, teamId: string | null): { role: string; teamId: string | null } {
  if (role === 'admin') return { role, teamId: null };
  if (role === 'team_admin' && !teamId) return { role: 'viewer', teamId };
  return { role, teamId };
}

/** Role and team after a sign-in: mapped ones follow the groups on every sign-in, unmapped ones keep what the user has. */
async function membership(db: Db, groups: readonly string[], settings: StoredSsoSettings, current: { role: string; teamId: string | null } | null) {
  const role = settings.groupRoles.length > 0 ? roleFor(groups, settings) : (current?.role ?? settings.defaultRole);
  let teamId = (settings.groupTeams ?? []).length > 0 ? teamFor(groups, settings) : (current?.teamId ?? null);
  // A mapping may name a team deleted since: the user is then in no team.
  if (teamId && !(await db.team.findUnique({ where: { id: teamId }, select: { id: true } }))) teamId = null;
  return settleMembership(role, teamId);
}

export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  groups: string[];
}

/**
 * The gateway user of an OpenID identity: found by (issuer, subject); created on first
 * sign-in with the role its groups map to (else the default role). An existing password
 * user is linked only when the provider vouches for the email. While group mappings are
 * configured, the role (group → role) and the team (group → team) follow the groups on every sign-in.
 */
export async function provisionUser(db: Db, identity: OidcIdentity, settings: StoredSsoSettings) {
  const found = await db.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: identity.issuer, oidcSubject: identity.subject } } });
  if (found) {
    const next = await membership(db, identity.groups, settings, found);
    const user = await db.user.update({ where: { id: found.id }, data: { ...next, lastLoginAt: new Date() } });
    return { user, created: false, before: found };
  }
  if (!identity.email) throw new SsoRefusal('The identity provider sent no email address (ask for the "email" scope).');
  const email = identity.email.toLowerCase();
  const sameEmail = await db.user.findUnique({ where: { email } });
  if (sameEmail) {
    if (!identity.emailVerified) throw new SsoRefusal(`A user with the email ${email} already exists and the provider did not verify this email.`);
    if (sameEmail.oidcSubject) throw new SsoRefusal(`The user ${email} is already linked to another identity.`);
    const next = await membership(db, identity.groups, settings, sameEmail);
    const user = await db.user.update({
      where: { id: sameEmail.id },
      data: { oidcIssuer: identity.issuer, oidcSubject: identity.subject, lastLoginAt: new Date(), ...next },
    });
    return { user, created: false, before: sameEmail };
  }
  // SSO users have no usable password: a random one nobody knows.
  const { role, teamId } = await membership(db, identity.groups, settings, null);
  const user = await db.user.create({
    data: {
      email,
      role,
      teamId,
      authMethod: 'oidc',
      oidcIssuer: identity.issuer,
      oidcSubject: identity.subject,
      passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
      lastLoginAt: new Date(),
    },
  });
  return { user, created: true, before: null };
}
