import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Shape limits of a GraphQL document, checked on its text before anything
 * parses or validates it:
 * - nesting of `{`, `[` and `(`: graphql-js parses recursively, so thousands
 *   of levels overflow the stack before any validation rule can refuse them;
 * - aliases (a `:` outside arguments) and tokens: validation compares fields
 *   pairwise, so a thousand aliased fields hold the event loop for over 100 ms
 *   even though graphql-armor refuses them in the end.
 * The bounds sit above graphql-armor's own (depth 10, aliases 30, tokens
 * 5,000), so they stop only documents armor would refuse anyway, earlier.
 */
export const QUERY_LIMITS = { nesting: 64, aliases: 100, tokens: 6000 };

const OPEN = new Set(['{', '[', '(']);
const CLOSE = new Set(['}', ']', ')']);
const PUNCTUATORS = new Set(['!', '$', '&', '(', ')', ':', '=', '@', '[', ']', '{', '|', '}']);

const refusal = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** The refusal for a document past one of QUERY_LIMITS, or undefined; one pass, no recursion. */
export function queryShapeError(query: unknown): GraphQLError | undefined {
  if (typeof query !== 'string') return undefined;
  let depth = 0;
  let parens = 0;
  let aliases = 0;
  let tokens = 0;
  let inWord = false;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (isWordChar(query.charCodeAt(i))) {
      if (!inWord) tokens++;
      inWord = true;
      continue;
    }
    inWord = false;
    if (c === '#') {
      const end = query.indexOf('\n', i);
      i = end === -1 ? query.length : end;
      continue;
    }
    if (c === '"') {
      tokens++;
      i = endOfString(query, i);
    } else if (PUNCTUATORS.has(c)) tokens++;
    if (OPEN.has(c)) {
      if (c === '(') parens++;
      if (++depth > QUERY_LIMITS.nesting) return refusal(`The document is nested deeper than ${QUERY_LIMITS.nesting} levels`);
    } else if (CLOSE.has(c)) {
      if (c === ')') parens--;
      depth--;
    } else if (c === ':' && parens <= 0 && ++aliases > QUERY_LIMITS.aliases) {
      return refusal(`The document has more than ${QUERY_LIMITS.aliases} aliases`);
    }
    if (tokens > QUERY_LIMITS.tokens) return refusal(`The document has more than ${QUERY_LIMITS.tokens} tokens`);
  }
  if (tokens > QUERY_LIMITS.tokens) return refusal(`The document has more than ${QUERY_LIMITS.tokens} tokens`);
  return undefined;
}

/** Names, numbers and `...`: one token per run. */
function isWordChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x2e ||
    code === 0x2d ||
    code === 0x2b
  );
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

/** Refuses documents past QUERY_LIMITS before yoga parses them (HTTP; graphql-ws calls queryShapeError itself). */
export function useQueryShapeLimits(): Plugin {
  return {
    onParams({ params, setResult }) {
      const error = queryShapeError(params.query);
      if (error) setResult({ errors: [error] });
    },
  };
}
