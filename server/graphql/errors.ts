import { GraphQLError } from 'graphql';
import type { ZodError } from 'zod';

/** A caller mistake, shown as is (yoga masks every other error). */
export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });
}

export function fromZod(error: ZodError): GraphQLError {
  const first = error.issues[0]!;
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
