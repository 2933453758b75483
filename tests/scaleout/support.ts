import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminClient, createProviderWithModel, type AdminTarget, type Variables } from '../support/admin.js';
import { databaseNameFor, dropDatabase, ensureDatabase } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';
import { deletePrefix, REDIS_URL } from '../limits/support.js';

const root = path.resolve(import.meta.dirname, '../..');

/** A fresh PostgreSQL database for one suite; `drop()` removes it. */
export async function freshDatabase(tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = databaseNameFor(`${tag}-${randomBytes(4).toString('hex')}`);
  const url = await ensureDatabase(name);
  return { url, drop: () => dropDatabase(name) };
}

export const uniqueRedisPrefix = () => `llmgw-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

/** Two gateways of one deployment: one PostgreSQL database and one Redis key space between them. */
export interface TwoInstances<G> {
  a: G;
  b: G;
  /** The environment both were started with. */
  env: Record<string, string>;
  /** Stops both, drops the database and clears the Redis key space. */
  stop(): Promise<void>;
}

/**
 * Starts two gateways (`start`: a child process or an in-process gateway) on a fresh PostgreSQL
 * database and the suite's Redis under a key prefix of their own, `env` added to both. With a
 * `redisUrl` of the test's own (a redis-server it stops and starts) the prefix is left to it.
 */
export async function startTwoInstances<G extends { stop(): Promise<unknown> }>(
  tag: string,
  start: (env: Record<string, string>) => Promise<G>,
  { env: extra = {}, redisUrl }: { env?: Record<string, string>; redisUrl?: string } = {},
): Promise<TwoInstances<G>> {
  const database = await freshDatabase(tag);
  const prefix = uniqueRedisPrefix();
  const env = { DATABASE_URL: database.url, REDIS_URL: redisUrl ?? REDIS_URL, REDIS_KEY_PREFIX: prefix, ...extra };
  const started: G[] = [];
  const stop = async () => {
    await Promise.all(started.map((instance) => instance.stop()));
    await database.drop();
    if (!redisUrl) await deletePrefix(prefix);
  };
  try {
    started.push(await start(env));
    started.push(await start(env));
  } catch (error) {
    await stop();
    throw error;
  }
  return { a: started[0], b: started[1], env, stop };
}

/** A gateway child process, started: the `start` of startTwoInstances for suites across processes. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const instance = new GatewayProcess(env);
  try {
    await instance.start();
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

/** A redis-server of the test's own, on its own port, with no persistence. */
export class RedisProcess {
  private child?: ChildProcess;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('Ready to accept connections') || undefined, { timeoutMs: 5_000, what: `redis-server on ${this.port}` });
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A gateway in a child process (see gateway-process.ts); its stdout is kept for log assertions. */
export class GatewayProcess {
  url = '';
  output = '';
  private child?: ChildProcess;
  private client?: ReturnType<typeof adminClient>;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-scaleout-'));

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'tests/scaleout/gateway-process.ts')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        DB_PATH: path.join(this.dataDir, 'gateway.db'),
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        JWT_SECRET: 'scaleout-test-jwt-secret-0123456789abcdef',
        ENCRYPTION_KEY: 'scaleout-test-encryption-key-0123456789',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    const exit = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${this.output.slice(-2000)}`))));
    const ready = waitFor(() => /READY (\S+)/.exec(this.output)?.[1], { timeoutMs: 60_000, what: 'gateway process' });
    this.url = await Promise.race([ready, exit]);
    exit.catch(() => {});
  }

  /** An operation as the bootstrap admin (signs in on first use). */
  admin<T = unknown>(query: string, variables?: Variables): Promise<T> {
    return this.session().admin<T>(query, variables);
  }

  /** The bootstrap admin's token, as `admin` uses it. */
  adminToken(): Promise<string> {
    return this.session().token();
  }

  private session(): ReturnType<typeof adminClient> {
    this.client ??= adminClient(this.url);
    return this.client;
  }

  /** Kills the process without a graceful shutdown (a crash). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function chatRequest(url: string, key: string, model = 'gpt-x'): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

/** A provider on the mock with the priced model `gpt-x` (0.001 in, 0.002 out per token). */
export async function setupPricedModel(target: AdminTarget, mockUrl: string): Promise<{ modelId: string }> {
  const { modelId } = await createProviderWithModel(
    target,
    { name: `mock-${randomBytes(3).toString('hex')}`, type: 'openai', baseUrl: mockUrl },
    { name: 'gpt-x', upstreamModel: 'gpt-4o', inputPrice: 0.001, outputPrice: 0.002 },
  );
  return { modelId };
}
