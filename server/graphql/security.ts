import { GraphQLError, NoSchemaIntrospectionCustomRule, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { maskError, type Plugin } from 'graphql-yoga';
import { scrubText } from '../secrets/redactor.js';
import type { GraphQLContext } from './context.js';
import { fromServiceError } from './errors.js';

/**
 * Refusals of the configuration service become caller errors, then yoga's
 * masking (unexpected errors become "Unexpected error.") is followed by the
 * one scrubber: a caller mistake is shown as is, but never with a secret in it
 * (a provider's echoed key inside a message, a pasted token).
 */
export function maskAndScrub(error: unknown, message: string, isDev?: boolean): Error {
  const masked = maskError(fromServiceError(error), message, isDev);
  if (!(masked instanceof GraphQLError)) return new Error(scrubText(masked.message));
  const scrubbed = scrubText(masked.message);
  const extensions =
    masked.extensions && Object.keys(masked.extensions).length
      ? (JSON.parse(scrubText(JSON.stringify(masked.extensions))) as Record<string, unknown>)
      : masked.extensions;
  if (scrubbed === masked.message && extensions === masked.extensions) return masked;
  return new GraphQLError(scrubbed, {
    nodes: masked.nodes,
    source: masked.source,
    positions: masked.positions,
    path: masked.path,
    originalError: masked.originalError,
    extensions,
  });
}

/**
 * In production the schema is not shown to anonymous callers: an operation
 * that asks for `__schema` or `__type` without a logged-in user is refused.
 * (`__typename` stays allowed; logged-in admins and viewers keep introspection
 * for tools.) Checked at execution, where the caller is known, over HTTP and
 * graphql-ws alike.
 */
export function useAnonymousIntrospectionBlock(enabled: boolean): Plugin<GraphQLContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!enabled || (args.contextValue as GraphQLContext).user) return;
      // envelop types the execution arguments' schema and document as `any`.
      if (validate(args.schema as GraphQLSchema, args.document as DocumentNode, [NoSchemaIntrospectionCustomRule]).length === 0) return;
      setResultAndStopExecution({
        errors: [new GraphQLError('Introspection needs a logged-in user', { extensions: { code: 'UNAUTHENTICATED' } })],
      });
    },
  };
}

/** Parse and validation errors skip yoga's masking; they echo names from the query, so they are scrubbed here. */
export function useScrubbedRequestErrors(): Plugin<GraphQLContext> {
  const scrub = (error: unknown) => (error instanceof GraphQLError ? maskAndScrub(error, error.message) : error);
  return {
    onParse:
      () =>
      ({ result, replaceParseResult }) => {
        if (result instanceof Error) replaceParseResult(scrub(result));
      },
    onValidate:
      () =>
      ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map(scrub));
      },
  };
}
