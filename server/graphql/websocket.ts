import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { currentUser } from '../auth/current-user.js';
import { bearerToken, type AdminClaims } from '../auth/jwt.js';
import type { Services } from '../services.js';
import type { GatewayYoga } from './yoga.js';

type Enveloped = ReturnType<GatewayYoga['getEnveloped']>;
type Extra = { user?: AdminClaims | null } & Record<PropertyKey, unknown>;

/**
 * graphql-ws on the same path as HTTP GraphQL. The admin token comes in
 * `connectionParams` ({ authorization: "Bearer …" } or { token: "…" }) and is
 * checked once when the socket connects.
 */
export function attachGraphQLWebSocket(server: Server, yoga: GatewayYoga, services: Services) {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const raw = typeof params.authorization === 'string' ? bearerToken(params.authorization) : typeof params.token === 'string' ? params.token : null;
        const user = await currentUser(services.tokens, services.db, raw);
        if (!user) return false; // closes with 4403 Forbidden
        (ctx.extra as Extra).user = user;
        return true;
      },
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const request = (ctx.extra as { request: import('node:http').IncomingMessage }).request;
        const enveloped = yoga.getEnveloped({
          ...ctx,
          req: request,
          socket: (ctx.extra as { socket: unknown }).socket,
          params: payload,
          clientIp: request.socket.remoteAddress ?? '',
          wsUser: (ctx.extra as Extra).user ?? null,
        } as never);
        const document = enveloped.parse(payload.query);
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: enveloped,
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );
  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
