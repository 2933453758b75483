/** Who did something the audit log records. */
export type AuditActor =
  | { type: 'user'; userId: string; email: string; ip?: string; userAgent?: string }
  | { type: 'config-file' }
  | { type: 'system' }
  /** A caller not signed in (a login attempt): where it came from. */
  | { type: 'anonymous'; ip?: string; userAgent?: string };

/** One audit entry before it is stored: `before` and `after` are masked by the audit log itself. */
export interface AuditEntry {
  actor: AuditActor;
  /** The GraphQL mutation (or other operation) that made the change. */
  operation?: string;
  entity: string;
  entityId?: string | null;
  entityName?: string | null;
  action: string;
  before?: unknown;
  after?: unknown;
}
