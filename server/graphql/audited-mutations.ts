import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { maskForAudit } from '../audit/index.js';
import { auditActorOf } from './actor.js';
import type { GraphQLContext } from './context.js';

/**
 * Runs every mutation field inside an audit operation (server/audit): what it changes
 * through the config service, or what its resolver describes, is recorded once when it
 * succeeds. Wrapping the schema's Mutation fields means a new mutation cannot be missed.
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  if (!mutation) return schema;
  for (const field of Object.values(mutation.getFields())) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (root, args, ctx: GraphQLContext, info) =>
      ctx.services.audit.operation(field.name, auditActorOf(ctx), maskForAudit(args), () => resolve(root, args, ctx, info));
  }
  return schema;
}
