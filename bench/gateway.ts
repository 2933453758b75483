/**
 * The gateway under test: its production build (`node dist/server/main.js`,
 * as `npm start` runs it) as a child process on a temporary SQLite database, configured through its own GraphQL
 * API like an operator would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startChild, type Child } from './processes.js';

/** The admin the benchmark's gateway is started with. */
export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench-password-123' } as const;

/** Public names the scenarios call. */
export const GATEWAY_MODELS = {
  chat: 'bench-chat',
  virtual: 'bench-route',
  slowStream: 'bench-slow',
} as const;

export interface BenchGateway {
  child: Child;
  url: string;
  /** Key with generous limits, bodies not logged. */
  key: string;
  /** Same limits, request and response bodies logged. */
  loggingKey: string;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  root: string;
  upstreamUrl: string;
  /** Stream shape of the slow provider used by the memory check. */
  slowChunks: number;
  slowDelayMs: number;
  /** The compiled entry (dist/server/main.js). */
  entry: string;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** Cores to pin the gateway to. */
  cores?: string | null;
  /** Extra environment (settings compared by bench/compare.ts); the database and secrets stay the harness's. */
  env?: Record<string, string>;
}

export async function startBenchGateway(options: GatewayOptions): Promise<BenchGateway> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-bench-'));
  const { child, match } = await startChild({
    name: 'gateway',
    cwd: options.root,
    cores: options.cores,
    args: [...(options.nodeFlags ?? []), options.entry],
    env: {
      ...options.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DB_PATH: path.join(dataDir, 'gateway.db'),
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      // Blank wins over a developer's .env: the benchmark always runs on embedded SQLite, memory counters.
      DATABASE_URL: '',
      REDIS_URL: '',
    },
    ready: (line) => /running: (http:\/\/\S+)/.exec(line)?.[1],
  });
  const url = match;
  const stop = async () => {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const keys = await configure(url, options);
    return { child, url, ...keys, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await res.json()) as { data?: T; errors?: unknown[] };
  if (result.errors?.length || !result.data) throw new Error(`gateway GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Limits set (so the limiter runs on every request) but far above anything the benchmark sends. */
const GENEROUS_LIMITS = { rpmLimit: 1_000_000_000, tpmLimit: 2_000_000_000, maxConcurrency: 1_000_000 };

async function configure(url: string, options: GatewayOptions): Promise<{ key: string; loggingKey: string }> {
  const { login } = await gql<{ login: { token: string } }>(url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
    e: BENCH_ADMIN.email,
    p: BENCH_ADMIN.password,
  });
  const admin = <T>(query: string, variables: Record<string, unknown>) => gql<T>(url, query, variables, login.token);

  const provider = async (name: string, headers: Record<string, string>) =>
    (
      await admin<{ createProvider: { id: string } }>('mutation($i: CreateProviderInput!) { createProvider(input: $i) { id } }', {
        i: { name, type: 'openai', baseUrl: `${options.upstreamUrl}/v1`, apiKey: 'sk-bench-upstream', headers },
      })
    ).createProvider.id;
  const model = async (providerId: string, name: string, upstreamModel: string) =>
    (
      await admin<{ createModel: { id: string } }>('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', {
        i: { providerId, name, upstreamModel, inputPrice: 0.000001, outputPrice: 0.000002 },
      })
    ).createModel.id;
  const key = async (name: string, logBodies: boolean) =>
    (
      await admin<{ createVirtualKey: { key: string } }>('mutation($i: CreateVirtualKeyInput!) { createVirtualKey(input: $i) { key } }', {
        i: { name, logBodies, ...GENEROUS_LIMITS },
      })
    ).createVirtualKey.key;

  // The mock reads its stream shape from headers; the provider's extra headers carry it.
  const fast = await provider('bench-upstream', { 'x-mock-chunks': '20' });
  const slow = await provider('bench-upstream-slow', { 'x-mock-chunks': String(options.slowChunks), 'x-mock-delay-ms': String(options.slowDelayMs) });
  const chatId = await model(fast, GATEWAY_MODELS.chat, 'gpt-bench');
  const secondId = await model(fast, 'bench-chat-b', 'gpt-bench-b');
  await model(slow, GATEWAY_MODELS.slowStream, 'gpt-bench');
  await admin('mutation($i: CreateVirtualModelInput!) { createVirtualModel(input: $i) { id } }', {
    i: {
      name: GATEWAY_MODELS.virtual,
      strategy: 'LOAD_BALANCE',
      targets: [
        { modelId: chatId, weight: 1 },
        { modelId: secondId, weight: 1 },
      ],
    },
  });
  return { key: await key('bench', false), loggingKey: await key('bench-logging', true) };
}
