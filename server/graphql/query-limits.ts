import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Deepest nesting of `{`, `[` and `(` a GraphQL document may have. graphql-js
 * parses recursively, so a document thousands of levels deep overflows the
 * stack before any validation rule (graphql-armor's depth limit included) can
 * refuse it. Far above what the depth limit lets through, so it only stops
 * documents that could never run.
 */
export const MAX_QUERY_NESTING = 64;

const OPEN = new Set(['{', '[', '(']);
const CLOSE = new Set(['}', ']', ')']);

/** The refusal for a document nested too deeply, or undefined; one pass, no recursion. */
export function queryNestingError(query: unknown): GraphQLError | undefined {
  if (typeof query !== 'string') return undefined;
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    if (c === '#') {
      const end = query.indexOf('\n', i);
      i = end === -1 ? query.length : end;
    } else if (c === '"') {
      i = endOfString(query, i);
    } else if (OPEN.has(c)) {
      if (++depth > MAX_QUERY_NESTING) {
        return new GraphQLError(`The document is nested deeper than ${MAX_QUERY_NESTING} levels`, {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      }
    } else if (CLOSE.has(c)) depth--;
  }
  return undefined;
}

/** Index of the closing quote of the string (or block string) opened at `open`. */
function endOfString(query: string, open: number): number {
  if (query.startsWith('"""', open)) {
    const end = query.indexOf('"""', open + 3);
    return end === -1 ? query.length : end + 2;
  }
  for (let i = open + 1; i < query.length; i++) {
    if (query[i] === '\\') i++;
    else if (query[i] === '"' || query[i] === '\n') return i;
  }
  return query.length;
}

/** Refuses over-nested documents before yoga parses them (HTTP; graphql-ws calls queryNestingError itself). */
export function useQueryNestingLimit(): Plugin {
  return {
    onParams({ params, setResult }) {
      const error = queryNestingError(params.query);
      if (error) setResult({ errors: [error] });
    },
  };
}
