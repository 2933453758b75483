import type { AuditActor } from '../audit/index.js';
import type { ConfigActor } from '../config-service/index.js';
import type { GraphQLContext } from './context.js';

/** The signed-in admin behind a mutation, as the configuration service records it (mutations require a user). */
export function actorOf(ctx: GraphQLContext): ConfigActor & { type: 'user' } {
  const user = ctx.user!;
  return { type: 'user', userId: user.userId, email: user.email, ip: ctx.clientIp || undefined, userAgent: ctx.userAgent };
}

/** Who is behind an operation for the audit log: the signed-in admin, or where an anonymous caller came from. */
export function auditActorOf(ctx: GraphQLContext): AuditActor {
  return ctx.user ? actorOf(ctx) : { type: 'anonymous', ip: ctx.clientIp || undefined, userAgent: ctx.userAgent };
}
