import type { ConfigActor } from '../config-service/index.js';
import type { GraphQLContext } from './context.js';

/** The signed-in admin behind a mutation, as the configuration service records it (mutations require a user). */
export function actorOf(ctx: GraphQLContext): ConfigActor & { type: 'user' } {
  const user = ctx.user!;
  return { type: 'user', userId: user.userId, email: user.email };
}
