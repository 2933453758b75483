import { Client, fetchExchange, getOperationName, mapExchange, subscriptionExchange, type Exchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { errorCode } from './errors';

export interface ClientOptions {
  token: string | null;
  /** Called when the server no longer accepts the token (expired, user deleted, …). */
  onUnauthenticated: () => void;
}

export interface GatewayClient {
  urql: Client;
  dispose: () => void;
}

const FORBIDDEN_CLOSE = 4403;

/**
 * One urql client per token: queries and mutations over HTTP, subscriptions over
 * graphql-ws on the same `/graphql` path. A new login builds a new client, so a
 * socket never outlives the token it was opened with.
 */
export function createGatewayClient({ token, onUnauthenticated }: ClientOptions): GatewayClient {
  const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
  const ws: WsClient = createWsClient({
    url: wsUrl,
    lazy: true,
    connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}), // i18n-ignore
    on: {
      closed: (event) => {
        if ((event as CloseEvent | undefined)?.code === FORBIDDEN_CLOSE) onUnauthenticated();
      },
    },
  });

  // The login mutation answers bad credentials with UNAUTHENTICATED too; that is a form error, not an expired session.
  const authExchange: Exchange = mapExchange({
    onError(error, operation) {
      const isLogin = getOperationName(operation.query) === 'Login';
      if (!isLogin && errorCode(error) === 'UNAUTHENTICATED') onUnauthenticated();
    },
  });

  const urql = new Client({
    url: '/graphql',
    // Admin data changes under other users' hands; always ask the server.
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetchOptions: (): RequestInit => ({ headers: token ? { authorization: `Bearer ${token}` } : {} }), // i18n-ignore
    exchanges: [
      authExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return { urql, dispose: () => void ws.dispose() };
}
