import { tr } from '$lib/i18n';
import type { CombinedError } from '@urql/core';

/** A failed API call, with the server's message and error code when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError'; // i18n-ignore
  }
}

export function errorCode(error: CombinedError): string | undefined {
  return error.graphQLErrors[0]?.extensions?.code as string | undefined;
}

/** Turns urql's combined error into one readable sentence (without the "[GraphQL]" prefix). */
export function toApiError(error: CombinedError): ApiError {
  const first = error.graphQLErrors[0];
  if (first) return new ApiError(first.message, errorCode(error), first.extensions?.field as string | undefined);
  if (error.networkError) return new ApiError(tr('graphqlErrors.cannotReachTheGatewayCheck'), 'NETWORK');
  return new ApiError(error.message.replace(/^\[\w+\]\s*/, ''));
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
