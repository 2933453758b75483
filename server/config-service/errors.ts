/**
 * Refusals of the configuration service, independent of any API: the GraphQL
 * layer shows them as BAD_USER_INPUT / NOT_FOUND (server/graphql/errors.ts).
 */
export class ConfigInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConfigInputError';
  }
}

export class ConfigNotFoundError extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`);
    this.name = 'ConfigNotFoundError';
  }
}

/** A Prisma unique-constraint violation (P2002) becomes the given refusal; anything else is rethrown as is. */
export function refuseDuplicate(error: unknown, message: string, field?: string): never {
  if (error && typeof error === 'object' && 'code' in error && error.code === 'P2002') {
    throw new ConfigInputError(message, field);
  }
  throw error;
}

/** Runs a write, turning a unique violation into a refusal. */
export async function unique<T>(write: () => Promise<T>, message: string, field?: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    return refuseDuplicate(error, message, field);
  }
}
