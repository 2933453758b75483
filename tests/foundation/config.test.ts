import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config/env.js';
import { freePort } from '../support/mock-upstreams/serve.js';

const root = path.resolve(import.meta.dirname, '../..');
const LONG_SECRET = 'a'.repeat(32);

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has sensible defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      host: '0.0.0.0',
      port: 3000,
      dbPath: path.resolve('data/gateway.db'),
      dataDir: path.resolve('data'),
      logLevel: 'info',
      jwtExpiresIn: '12h',
      maxBodyBytes: 20 * 1024 * 1024,
      trustProxy: false,
      clientDir: path.resolve('client/build'),
    });
    expect(config.catalogUrl).toMatch(/^https:\/\/.*litellm/);
    for (const unset of ['jwtSecret', 'encryptionKey', 'adminEmail', 'adminPassword', 'databaseUrl', 'redisUrl', 'metricsToken'] as const) {
      expect(config[unset]).toBeUndefined();
    }
  });

  it('reads each variable and treats blank values as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      DB_PATH: '/tmp/x/y.db',
      LOG_LEVEL: 'debug',
      TRUST_PROXY: 'true',
      ADMIN_EMAIL: '',
      JWT_EXPIRES_IN: '30m',
      DATA_DIR: '/tmp/secrets',
    });
    expect(config).toMatchObject({ port: 8080, dbPath: '/tmp/x/y.db', dataDir: '/tmp/secrets', logLevel: 'debug', trustProxy: true, jwtExpiresIn: '30m' });
    expect(config.adminEmail).toBeUndefined();
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
    expect(loadConfig({ DB_PATH: '/srv/db/gw.db' }).dataDir).toBe('/srv/db');
  });

  it.each(['abc', '70000', '-1', '80.5'])('refuses PORT=%s, naming PORT', (port) => {
    const error = configError({ PORT: port });
    expect(error.message).toMatch(/^Invalid configuration:\n {2}PORT: /);
  });

  it('lists every problem at once', () => {
    const error = configError({ PORT: 'x', LOG_LEVEL: 'loud', JWT_EXPIRES_IN: 'forever', ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'short' });
    for (const name of ['PORT', 'LOG_LEVEL', 'JWT_EXPIRES_IN', 'ADMIN_EMAIL', 'ADMIN_PASSWORD']) expect(error.message).toContain(`  ${name}: `);
    expect(error.message).toContain('use a duration such as 12h');
    expect(error.message).toContain('ADMIN_PASSWORD must be at least 8 characters');
  });

  it('accepts only PostgreSQL URLs in DATABASE_URL', () => {
    for (const url of ['mysql://u:p@localhost/db', 'file:./gateway.db', 'postgres-ish://x']) {
      expect(configError({ DATABASE_URL: url }).message).toContain('DATABASE_URL: must start with postgres:// or postgresql://');
    }
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost:5432/db' }).databaseUrl).toBe('postgres://u:p@localhost:5432/db');
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/db' }).databaseUrl).toBe('postgresql://localhost/db');
  });

  it('refuses production without JWT_SECRET, or with one shorter than 32 characters', () => {
    const missing = configError({ NODE_ENV: 'production', ENCRYPTION_KEY: LONG_SECRET });
    expect(missing.message).toMatch(/JWT_SECRET must be set to at least 32 characters when NODE_ENV=production/);
    const short = configError({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(31), ENCRYPTION_KEY: LONG_SECRET });
    expect(short.message).toMatch(/JWT_SECRET must be set to at least 32 characters/);
    // The message never echoes the secret it refused.
    expect(short.message).not.toContain('a'.repeat(31));
  });

  it('refuses production without a long ENCRYPTION_KEY', () => {
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET }).message).toMatch(/ENCRYPTION_KEY must be set to at least 32 characters/);
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET, ENCRYPTION_KEY: 'short' }).message).toMatch(/ENCRYPTION_KEY/);
  });

  it('starts production with both secrets of 32+ characters, and development without them', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET, ENCRYPTION_KEY: LONG_SECRET });
    expect(config.env).toBe('production');
    expect(config.jwtSecret).toBe(LONG_SECRET);
    expect(loadConfig({ NODE_ENV: 'development' }).jwtSecret).toBeUndefined();
  });
});

describe('.env.example', () => {
  const envSource = readFileSync(path.join(root, 'server/config/env.ts'), 'utf8');
  const schemaBody = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(envSource)?.[1] ?? '';
  const readByConfig = [...schemaBody.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
  const example = readFileSync(path.join(root, '.env.example'), 'utf8');
  const exampleLines = example.split('\n');
  // `NAME=value` or a commented-out `# NAME=value`.
  const listed = exampleLines.map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1]).filter((n): n is string => !!n);

  it('parses the variables env.ts reads', () => {
    expect(readByConfig.length).toBeGreaterThanOrEqual(15);
    expect(readByConfig).toEqual(
      expect.arrayContaining([
        'PORT',
        'NODE_ENV',
        'DB_PATH',
        'DATABASE_URL',
        'REDIS_URL',
        'LOG_LEVEL',
        'JWT_SECRET',
        'ENCRYPTION_KEY',
        'ADMIN_EMAIL',
        'ADMIN_PASSWORD',
        'LITELLM_CATALOG_URL',
      ]),
    );
  });

  it('lists every variable env.ts reads, and nothing else', () => {
    expect([...new Set(listed)].sort()).toEqual([...readByConfig].sort());
  });

  it('explains every variable with a comment in its block', () => {
    const blocks = example.split(/\n\s*\n/);
    for (const name of readByConfig) {
      const block = blocks.find((b) => new RegExp(`^#?\\s*${name}=`, 'm').test(b));
      expect(block, name).toBeDefined();
      const prose = block!.split('\n').filter((line) => line.startsWith('#') && !/^#\s*[A-Z][A-Z0-9_]*=/.test(line));
      expect(prose.length, `${name} has no comment`).toBeGreaterThan(0);
    }
  });

  it('shows the defaults: its active values give the same config as an empty environment', () => {
    const active = Object.fromEntries(
      exampleLines
        .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(active).length).toBeGreaterThan(5);
    expect(loadConfig(active)).toEqual(loadConfig({}));
  });
});

describe('the gateway process', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-process-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `node --import tsx server/main.ts` with exactly the given environment (plus PATH/HOME). */
  const start = (env: Record<string, string>) => {
    const dir = env.DB_PATH ? path.dirname(env.DB_PATH) : tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        // Never pick up a developer's .env.
        DOTENV_CONFIG_PATH: path.join(dir, 'no-such.env'),
        DOTENV_CONFIG_QUIET: 'true',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const out = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out.stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out.stderr += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, out, exited };
  };

  const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms))]);

  it('reads HEAP_GROWING_PERCENT (50 unless set, 0 for V8 own), reports it when the process starts, and refuses a value out of range', async () => {
    const dir = tempDir();
    const port = await freePort();
    const { child, out } = start({
      HOST: '127.0.0.1',
      PORT: String(port),
      DB_PATH: path.join(dir, 'gateway.db'),
      LOG_LEVEL: 'info',
      HEAP_GROWING_PERCENT: '45',
    });
    const deadline = Date.now() + 30_000;
    while (!out.stdout.includes('gateway listening') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    const line = out.stdout.split('\n').find((l) => l.includes('gateway listening'));
    expect(line, out.stderr).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ heapGrowingPercent: 45 });
    child.kill('SIGTERM');

    expect(loadConfig({}).heapGrowingPercent).toBe(50);
    expect(loadConfig({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(configError({ HEAP_GROWING_PERCENT: '5' }).message).toMatch(/HEAP_GROWING_PERCENT/);
    expect(configError({ HEAP_GROWING_PERCENT: '401' }).message).toMatch(/HEAP_GROWING_PERCENT/);
    expect(configError({ HEAP_GROWING_PERCENT: '-1' }).message).toMatch(/HEAP_GROWING_PERCENT/);
    expect(configError({ HEAP_GROWING_PERCENT: 'lots' }).message).toMatch(/HEAP_GROWING_PERCENT/);
  });

  it('exits with code 1 and a clear message in production without JWT_SECRET', async () => {
    const dir = tempDir();
    const { out, exited } = start({ NODE_ENV: 'production', DB_PATH: path.join(dir, 'gateway.db'), PORT: String(await freePort()) });
    const { code } = await withTimeout(exited, 20_000, 'process exit');
    expect(code).toBe(1);
    expect(out.stderr).toMatch(/JWT_SECRET must be set to at least 32 characters when NODE_ENV=production/);
    expect(out.stdout).not.toMatch(/is running/);
  });

  it('starts, prints the URL and a working admin login, and shuts down gracefully on SIGTERM', async () => {
    const dir = tempDir();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const { child, out, exited } = start({ NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), DB_PATH: path.join(dir, 'gateway.db') });

    const deadline = Date.now() + 30_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline && child.exitCode === null) {
      healthy = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy, out.stderr).toBe(true);
    expect(out.stdout).toContain(`LLM Gateway is running: ${base}`);

    // No ADMIN_EMAIL / ADMIN_PASSWORD: the banner shows a generated password that works.
    const match = /email:\s+(\S+)\s+password:\s+(\S+)/.exec(out.stdout);
    expect(match, out.stdout).not.toBeNull();
    expect(match![1]).toBe('admin@localhost');
    const login = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        variables: { e: match![1], p: match![2] },
      }),
    }).then((r) => r.json());
    expect(login.errors).toBeUndefined();
    const token: string = login.data.login.token;

    // A request in flight when SIGTERM arrives: headers sent, body not yet complete.
    const body = JSON.stringify({ query: '{ me { email } }' });
    let finishBody!: () => void;
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${base}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      req.write(body.slice(0, 5));
      finishBody = () => req.end(body.slice(5));
    });
    await new Promise((r) => setTimeout(r, 200)); // let the server see the request

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    // New connections are refused while the in-flight request is still open.
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = await fetch(`${base}/healthz`, { headers: { connection: 'close' } }).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 50));
    }
    expect(refused).toBe(true);
    expect(child.exitCode).toBeNull(); // still draining

    finishBody();
    const answered = await withTimeout(inFlight, 5000, 'in-flight request');
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text).data.me.email).toBe('admin@localhost');

    const { code, signal } = await withTimeout(exited, 5000, 'graceful exit');
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(out.stderr).toBe('');
  });
});
