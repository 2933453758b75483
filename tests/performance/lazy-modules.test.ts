/**
 * What an idle gateway holds in memory: the production build, started as
 * `npm start` runs it, must not load the packages of features nobody uses yet
 * (each costs megabytes of heap or WebAssembly memory at start). A resolve hook
 * records every module the process resolves; the list is read once the
 * gateway answers, including over GraphQL.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_ADMIN, startBenchGateway, type BenchGateway } from '../../bench/gateway.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Packages (or folders of them) that load on first use only. */
const LAZY = [
  're2-wasm',
  'pg',
  '@prisma/adapter-pg',
  '@modelcontextprotocol/sdk',
  'openid-client',
  '@smithy/signature-v4',
  '@smithy/core',
  '@aws-crypto/sha256-js',
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/client-s3',
  'ws',
  'graphql-ws',
  'ioredis',
  'nodemailer',
  'yaml',
  '@opentelemetry/sdk-node',
];

const packageOf = (url: string): string | undefined => {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const parts = url.slice(at + '/node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
};

describe('an idle gateway (production build)', () => {
  let dir: string;
  let outdir: string;
  let gateway: BenchGateway | undefined;
  let resolvedLog: string;
  let requiredLog: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gateway-lazy-'));
    // Beside dist/server (same depth): the build finds the migrations, the admin UI and the packages from there.
    outdir = path.join(ROOT, 'dist', `lazy-modules-${process.pid}`);
    // @ts-expect-error: a plain ES module without types
    const { buildServer } = (await import('../../scripts/build-server.mjs')) as { buildServer: (outdir: string) => Promise<void> };
    await buildServer(outdir);
    resolvedLog = path.join(dir, 'resolved.txt');
    writeFileSync(
      path.join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(resolvedLog)}, result.url + '\\n');
  return result;
}`,
    );
    // CommonJS files required from CommonJS never pass the resolve hook: SIGUSR2 lists the CommonJS module cache.
    requiredLog = path.join(dir, 'required.txt');
    writeFileSync(
      path.join(dir, 'register.mjs'),
      `import { register, createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
register(${JSON.stringify(`file://${dir}/hooks.mjs`)});
const cache = createRequire(import.meta.url).cache;
process.on('SIGUSR2', () => writeFileSync(${JSON.stringify(requiredLog)}, Object.keys(cache).join('\\n')));
`,
    );
    // Started and configured (sign-in, providers, models, keys) over GraphQL, as the benchmark does; no upstream is called.
    gateway = await startBenchGateway({
      root: ROOT,
      entry: path.join(outdir, 'main.js'),
      upstreamUrl: 'http://127.0.0.1:9',
      slowChunks: 1,
      slowDelayMs: 0,
      nodeFlags: ['--import', path.join(dir, 'register.mjs')],
    });
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    rmSync(outdir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('has not loaded the packages of unused features, after answering over REST and GraphQL', async () => {
    expect((await fetch(`${gateway!.url}/healthz`)).status).toBe(200);
    const login = await fetch(`${gateway!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { login(email: "${BENCH_ADMIN.email}", password: "${BENCH_ADMIN.password}") { token } }` }),
    });
    expect(((await login.json()) as { data?: { login?: { token?: string } } }).data?.login?.token).toBeTruthy();

    const loaded = new Set(readFileSync(resolvedLog, 'utf8').split('\n').map(packageOf).filter(Boolean));
    // The hook sees the packages the gateway does load (else an empty list would pass).
    for (const used of ['graphql-yoga', 'undici', 'zod', '@prisma/adapter-better-sqlite3']) expect(loaded).toContain(used);
    expect(LAZY.filter((name) => loaded.has(name))).toEqual([]);
  });

  it("loads undici's dispatcher and request files, not its index with every API it has", async () => {
    process.kill(gateway!.child.pid, 'SIGUSR2');
    const deadline = Date.now() + 5_000;
    while (!existsSync(requiredLog) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const files = [...readFileSync(requiredLog, 'utf8').split('\n'), ...readFileSync(resolvedLog, 'utf8').split('\n')];
    const undici = files.filter((f) => f.includes('/node_modules/undici/'));
    expect(undici.some((f) => f.endsWith('/undici/lib/dispatcher/agent.js'))).toBe(true);
    expect(undici.filter((f) => f.endsWith('/undici/index.js'))).toEqual([]);
    expect(undici.filter((f) => f.includes('/undici/lib/web/'))).toEqual([]);
  });
});
