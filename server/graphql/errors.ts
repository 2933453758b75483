import { GraphQLError } from 'graphql';
import type { ZodError } from 'zod';
import { ConfigInputError, ConfigNotFoundError } from '../config-service/index.js';

/** A caller mistake, shown as is (yoga masks every other error). */
export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });
}

export function fromZod(error: ZodError): GraphQLError {
  const first = error.issues[0];
  const field = first.path.join('.');
  return badInput(field ? `${field}: ${first.message}` : first.message, field || undefined);
}

export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} not found`, { extensions: { code: 'NOT_FOUND' } });
}

/** Maps Prisma's unique-constraint violation to a clear message. */
export function uniqueViolation(error: unknown, message: string): GraphQLError | null {
  if (error && typeof error === 'object' && 'code' in error && (error as { code: string }).code === 'P2002') {
    return badInput(message);
  }
  return null;
}

/**
 * The configuration service's refusals as the API shows them; anything else is
 * returned as is (and masked unless it is a GraphQLError).
 */
export function fromServiceError(error: unknown): unknown {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (original instanceof ConfigInputError) return withPath(badInput(original.message, original.field), error);
  if (original instanceof ConfigNotFoundError) return withPath(notFound(original.what), error);
  return error;
}

const withPath = (mapped: GraphQLError, located: unknown) =>
  located instanceof GraphQLError
    ? new GraphQLError(mapped.message, {
        nodes: located.nodes,
        source: located.source,
        positions: located.positions,
        path: located.path,
        extensions: mapped.extensions,
      })
    : mapped;
