import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { bearerToken, type AdminClaims } from '../auth/jwt.js';
import { currentUser } from '../auth/current-user.js';
import type { GraphQLContext } from './context.js';
import type { GraphqlDeps } from './deps.js';
import { schema } from './schema.js';
import { maskAndScrub, useAnonymousIntrospectionBlock, useScrubbedRequestErrors } from './security.js';
import { useQueryShapeLimits } from './query-limits.js';

/** What the HTTP and WebSocket entry points hand to yoga besides the request. */
export interface ServerContext {
  clientIp: string;
  /** Set by the WebSocket entry point, which authenticates at connection time. */
  wsUser?: AdminClaims | null;
}

export type GatewayYoga = YogaServerInstance<ServerContext, GraphQLContext>;

export function createGraphQLServer(services: GraphqlDeps): GatewayYoga {
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // GraphiQL only outside production (it is a page anyone could load).
    graphiql: services.config.env !== 'production' ? { subscriptionsProtocol: 'WS' } : false,
    landingPage: false,
    maskedErrors: { maskError: maskAndScrub },
    logging: {
      debug: (...args) => services.logger.debug({ args }, 'graphql'),
      info: (...args) => services.logger.info({ args }, 'graphql'),
      warn: (...args) => services.logger.warn({ args }, 'graphql'),
      // Caller mistakes (bad input, refused login) arrive here too; they are not server faults.
      error: (...args) => services.logger.warn({ err: args.find((a) => a instanceof Error) ?? args[0] }, 'graphql'),
    },
    plugins: [
      // Before anything parses: graphql-js recursion cannot take documents thousands of levels deep.
      useQueryShapeLimits(),
      EnvelopArmorPlugin({
        maxDepth: { n: 10, ignoreIntrospection: true },
        maxAliases: { n: 30 },
        maxDirectives: { n: 30 },
        maxTokens: { n: 5000 },
        costLimit: { maxCost: 20000, ignoreIntrospection: true },
        blockFieldSuggestion: { enabled: services.config.env === 'production' },
      }),
      useAnonymousIntrospectionBlock(services.config.env === 'production'),
      useScrubbedRequestErrors(),
    ],
    context: async (initial): Promise<GraphQLContext> => {
      const user = initial.wsUser !== undefined ? initial.wsUser : await verifyHeader(services, initial.request.headers.get('authorization'));
      // A WebSocket operation has no fetch Request (only the upgrade's `req`).
      const request = initial.request as Request | undefined;
      return { services, user, clientIp: initial.clientIp, userAgent: request?.headers.get('user-agent') ?? undefined };
    },
  });
}

function verifyHeader(services: Pick<GraphqlDeps, 'tokens' | 'db'>, header: string | null): Promise<AdminClaims | null> {
  return currentUser(services.tokens, services.db, bearerToken(header));
}
