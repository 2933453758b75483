import type { AuditLog } from '../audit/index.js';

/** Why a sign-in was refused, as the audit log names it. */
export type SignInFailure =
  | 'unknown_user'
  | 'wrong_password'
  /** The provider's answer could not be used (a forged or replayed state, a failed code exchange). */
  | 'sso_exchange_failed'
  /** The identity was valid but the gateway refused it (no email, an unverified email of an existing user, …). */
  | 'sso_refused';

export interface FailedSignIn {
  method: 'password' | 'oidc';
  reason: SignInFailure;
  /** The email that was tried (or the provider's), when there is one. */
  email?: string;
  /** The existing user the attempt was for. */
  userId?: string;
  /** What the user was told, for refusals that explain themselves. */
  detail?: string;
  ip?: string;
  userAgent?: string;
}

/** Long enough for any real address; a caller cannot store an unbounded string in the log. */
const MAX_EMAIL = 320;

/**
 * A refused sign-in in the audit log: who tried (the email given, never the password),
 * from where (address and user agent) and why. Written as an anonymous actor: nobody
 * was signed in. Throttled attempts are not written one by one (the failures that led
 * to the throttle are), so a flood of refused requests cannot flood the log.
 */
export function recordFailedSignIn(audit: Pick<AuditLog, 'record'>, attempt: FailedSignIn): Promise<void> {
  const email = attempt.email?.trim().toLowerCase().slice(0, MAX_EMAIL) || null;
  return audit.record({
    actor: { type: 'anonymous', ip: attempt.ip || undefined, userAgent: attempt.userAgent },
    operation: attempt.method === 'password' ? 'login' : 'ssoLogin',
    entity: 'session',
    entityId: attempt.userId ?? null,
    entityName: email,
    action: 'loginFailed',
    after: { method: attempt.method, reason: attempt.reason, ...(attempt.detail ? { detail: attempt.detail } : {}) },
  });
}
