import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { maskForAudit } from './mask.js';
import type { AuditActor, AuditEntry } from './types.js';

/** A configuration change as the config service announces it (server/config-service/change.ts). */
export interface AuditableChange {
  actor: { type: 'user'; userId: string; email: string; ip?: string; userAgent?: string } | { type: 'config-file' };
  entity: string;
  action: string;
  id: string | null;
  name?: string;
  before?: unknown;
  after?: unknown;
}

/** One admin operation in progress: what it changed, and what it says about itself. */
interface Scope {
  operation: string;
  actor: AuditActor;
  args: unknown;
  changes: AuditableChange[];
  described?: Partial<AuditEntry>;
}

/**
 * The audit log. Each admin operation (a GraphQL mutation) runs in a scope: the
 * configuration changes it makes (heard through the config service's `onChange`) and
 * what its resolver describes (login, users) become ONE entry when it succeeds; a
 * mutation that changed nothing the service knows is still recorded, by name and masked
 * arguments. Changes outside any operation (a configuration file at start) are one
 * entry each.
 */
export class AuditLog {
  private readonly scopes = new AsyncLocalStorage<Scope>();
  /** Operations under way. On Node 20 an enabled AsyncLocalStorage installs promise hooks that cost every promise of the process (the proxy's too), so it is disabled whenever no admin operation runs. */
  private running = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Pick<Logger, 'error'>,
  ) {}

  /** Runs one admin operation; records it once if it succeeds. */
  async operation<T>(operation: string, actor: AuditActor, args: unknown, run: () => Promise<T> | T): Promise<T> {
    const scope: Scope = { operation, actor, args, changes: [] };
    this.running++;
    let result: T;
    try {
      result = await this.scopes.run(scope, run);
    } finally {
      if (--this.running === 0) this.scopes.disable();
    }
    await this.write(entryOf(scope));
    return result;
  }

  /** The running operation says what it did (who, for a login; the user row before → after). */
  describe(details: Partial<AuditEntry>): void {
    const scope = this.scopes.getStore();
    if (scope) scope.described = { ...scope.described, ...details };
  }

  /** The config service's `onChange` listener. */
  readonly onConfigChange = async (change: AuditableChange): Promise<void> => {
    const scope = this.scopes.getStore();
    if (scope) scope.changes.push(change);
    else await this.write(entryOfChange(change));
  };

  /** Records something outside any operation (a sign-in through SSO, a system action). */
  record(entry: AuditEntry): Promise<void> {
    return this.write(entry);
  }

  /** Deletes entries older than the cutoff, at most `limit` of them (retention). */
  async pruneBefore(cutoff: Date, limit: number): Promise<number> {
    const old = await this.db.auditEvent.findMany({ where: { createdAt: { lt: cutoff } }, select: { id: true }, take: limit });
    if (old.length === 0) return 0;
    const { count } = await this.db.auditEvent.deleteMany({ where: { id: { in: old.map((o) => o.id) } } });
    return count;
  }

  private async write(entry: AuditEntry): Promise<void> {
    const actor = entry.actor;
    try {
      await this.db.auditEvent.create({
        data: {
          actorType: actor.type,
          actorId: actor.type === 'user' ? actor.userId : null,
          actorEmail: actor.type === 'user' ? actor.email : null,
          ip: actor.type === 'user' || actor.type === 'anonymous' ? (actor.ip ?? null) : null,
          userAgent: actor.type === 'user' || actor.type === 'anonymous' ? (actor.userAgent?.slice(0, 500) ?? null) : null,
          operation: entry.operation ?? null,
          entity: entry.entity,
          entityId: entry.entityId ?? null,
          entityName: entry.entityName ?? null,
          action: entry.action,
          before: (maskForAudit(entry.before) as object | null) ?? undefined,
          after: (maskForAudit(entry.after) as object | null) ?? undefined,
        },
      });
    } catch (error) {
      // The change itself succeeded; a lost audit row is reported loudly, never thrown at the admin.
      this.logger.error({ err: error, entity: entry.entity, action: entry.action }, 'audit entry could not be written');
    }
  }
}

function entryOfChange(change: AuditableChange, operation?: string): AuditEntry {
  return {
    actor: change.actor,
    operation,
    entity: change.entity,
    entityId: change.id,
    entityName: change.name ?? null,
    action: change.action,
    before: change.before,
    after: change.after,
  };
}

/** One entry per operation: its one change, a summary of several, or its own name and arguments. */
function entryOf(scope: Scope): AuditEntry {
  const { changes, described, operation, actor } = scope;
  let base: AuditEntry;
  if (changes.length === 1) base = { ...entryOfChange(changes[0], operation), actor };
  else if (changes.length > 1) {
    base = {
      actor,
      operation,
      entity: changes[0].entity,
      action: operation,
      after: changes.map((c) => ({ entity: c.entity, action: c.action, id: c.id, name: c.name ?? null })),
    };
  } else base = { actor, operation, entity: 'mutation', action: operation, after: scope.args };
  return { ...base, ...described };
}
