import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords.js';
import type { Db } from '../db/client.js';
import type { StoredSsoSettings } from '../settings/sso-settings.js';

/** Why a signed-in identity gets no session; the message is shown on the login page. */
export class SsoRefusal extends Error {}

/** Highest privilege first: a member of several mapped groups gets the strongest role. */
const ROLE_RANK: Record<string, number> = { admin: 2, viewer: 1 };

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
 * configured, the role follows the groups on every sign-in.
 */
export async function provisionUser(db: Db, identity: OidcIdentity, settings: StoredSsoSettings) {
  const role = roleFor(identity.groups, settings);
  const found = await db.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: identity.issuer, oidcSubject: identity.subject } } });
  if (found) {
    const nextRole = settings.groupRoles.length > 0 ? role : found.role;
    const user = await db.user.update({ where: { id: found.id }, data: { role: nextRole, lastLoginAt: new Date() } });
    return { user, created: false, before: found };
  }
  if (!identity.email) throw new SsoRefusal('The identity provider sent no email address (ask for the "email" scope).');
  const email = identity.email.toLowerCase();
  const sameEmail = await db.user.findUnique({ where: { email } });
  if (sameEmail) {
    if (!identity.emailVerified) throw new SsoRefusal(`A user with the email ${email} already exists and the provider did not verify this email.`);
    if (sameEmail.oidcSubject) throw new SsoRefusal(`The user ${email} is already linked to another identity.`);
    const user = await db.user.update({
      where: { id: sameEmail.id },
      data: { oidcIssuer: identity.issuer, oidcSubject: identity.subject, lastLoginAt: new Date(), ...(settings.groupRoles.length > 0 ? { role } : {}) },
    });
    return { user, created: false, before: sameEmail };
  }
  // SSO users have no usable password: a random one nobody knows.
  const user = await db.user.create({
    data: {
      email,
      role,
      authMethod: 'oidc',
      oidcIssuer: identity.issuer,
      oidcSubject: identity.subject,
      passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
      lastLoginAt: new Date(),
    },
  });
  return { user, created: true, before: null };
}
