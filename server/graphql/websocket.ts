import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import { currentUser } from '../auth/current-user.js';
import { bearerToken, type AdminClaims } from '../auth/jwt.js';
import type { GraphqlDeps } from './deps.js';
import type { GatewayYoga } from './yoga.js';
import { queryShapeError } from './query-limits.js';

type Enveloped = ReturnType<GatewayYoga['getEnveloped']>;
/** What graphql-js returns from execute and subscribe (envelop declares these functions, parse and validate as returning `any`). */
type OperationResult = ExecutionResult | AsyncIterable<ExecutionResult> | Promise<ExecutionResult | AsyncIterable<ExecutionResult>>;
type Extra = { user?: AdminClaims | null; token?: string | null; socket?: WebSocket } & Record<PropertyKey, unknown>;

/** Close code for a socket whose session ended (token revoked, user deleted, token expired). */
export const SESSION_ENDED_CLOSE = 4403;

/**
 * graphql-ws on the same path as HTTP GraphQL. The admin token comes in
 * `connectionParams` ({ authorization: "Bearer …" } or { token: "…" }); it is
 * checked when the socket connects and again for every operation (the user is
 * re-read, as over HTTP), and a user's sockets close when their sessions are
 * revoked (logout, password change, deletion; announced on the event bus, so
 * through every instance in scale-out).
 */
export function attachGraphQLWebSocket(server: Server, yoga: GatewayYoga, services: WsDeps) {
  // ws and graphql-ws are imported on the first upgrade: an instance nobody opens the admin UI on never loads them.
  let endpoint: Promise<WsEndpoint> | undefined;
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    endpoint ??= startEndpoint(yoga, services);
    // A client that goes away while the modules load must not take the process with it (ws listens from handle on).
    const gone = () => socket.destroy();
    socket.on('error', gone);
    endpoint.then(
      (ws) => {
        socket.off('error', gone);
        if (!socket.destroyed) ws.handle(req, socket, head);
      },
      (error: unknown) => {
        services.logger.error({ err: error }, 'graphql-ws could not be started');
        socket.destroy();
      },
    );
  };
  server.on('upgrade', onUpgrade);
  return {
    close: async () => {
      server.off('upgrade', onUpgrade);
      if (endpoint) await (await endpoint).close();
    },
  };
}

type WsDeps = Pick<GraphqlDeps, 'events' | 'logger' | 'tokens' | 'db'>;

interface WsEndpoint {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

async function startEndpoint(yoga: GatewayYoga, services: WsDeps): Promise<WsEndpoint> {
  const [{ WebSocketServer }, { useServer }] = await Promise.all([import('ws'), import('graphql-ws/use/ws')]);
  // Upgrades on any other path are refused by handleUpgrade (400).
  const wss = new WebSocketServer({ noServer: true, path: '/graphql' });
  const socketsByUser = new Map<string, Set<WebSocket>>();
  const endSession = (socket: WebSocket | undefined) => socket?.close(SESSION_ENDED_CLOSE, 'Session ended: log in again');
  const revocations = services.events.subscribe('sessionsRevoked');
  void (async () => {
    for await (const { userId } of revocations) {
      for (const socket of socketsByUser.get(userId) ?? []) endSession(socket);
    }
  })().catch((error) => services.logger.warn({ err: error }, 'graphql-ws session revocations stopped'));
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const raw = typeof params.authorization === 'string' ? bearerToken(params.authorization) : typeof params.token === 'string' ? params.token : null;
        const user = await currentUser(services.tokens, services.db, raw);
        if (!user) return false; // closes with 4403 Forbidden
        const extra = ctx.extra as Extra;
        extra.user = user;
        extra.token = raw;
        const socket = extra.socket as WebSocket;
        const own = socketsByUser.get(user.userId) ?? new Set<WebSocket>();
        own.add(socket);
        socketsByUser.set(user.userId, own);
        socket.once('close', () => {
          own.delete(socket);
          if (own.size === 0 && socketsByUser.get(user.userId) === own) socketsByUser.delete(user.userId);
        });
        return true;
      },
      execute: (args) => (args.rootValue as Enveloped).execute(args) as OperationResult,
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as OperationResult,
      onSubscribe: async (ctx, _id, payload) => {
        const extra = ctx.extra as Extra;
        // Every operation re-checks the token and re-reads the user, as HTTP does.
        const user = await currentUser(services.tokens, services.db, extra.token ?? null);
        if (!user) {
          endSession(extra.socket);
          return [new GraphQLError('Session ended: log in again', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        extra.user = user;
        const request = (ctx.extra as { request: IncomingMessage }).request;
        const enveloped = yoga.getEnveloped({
          ...ctx,
          req: request,
          socket: (ctx.extra as { socket: unknown }).socket,
          params: payload,
          clientIp: request.socket.remoteAddress ?? '',
          wsUser: (ctx.extra as Extra).user ?? null,
        } as never);
        // A bad document is this operation's error, not the socket's: a throw here closes it with 4500.
        const refused = queryShapeError(payload.query);
        if (refused) return [refused];
        let document: DocumentNode;
        try {
          document = enveloped.parse(payload.query) as DocumentNode;
        } catch (error) {
          return [operationError(error)];
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema as GraphQLSchema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: enveloped,
        };
        let errors: readonly GraphQLError[];
        try {
          errors = enveloped.validate(args.schema, args.document) as readonly GraphQLError[];
        } catch (error) {
          return [operationError(error)];
        }
        if (errors.length) return [...errors];
        return args;
      },
    },
    wss,
  );
  return {
    handle: (req, socket, head) => wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req)),
    close: async () => {
      await revocations.return?.();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** What a failed parse or validation tells the client: GraphQL errors as they are (scrubbed), anything else as a plain refusal. */
function operationError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError('The document could not be processed (too large or too complex)', { extensions: { code: 'BAD_REQUEST' } });
}
