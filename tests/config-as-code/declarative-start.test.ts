import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatewayConfigJsonSchema } from '../../server/config-as-code/schema.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { waitFor } from '../support/wait.js';
import { createKey } from '../support/admin.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/llm-gateway.mjs');

let upstream: MockUpstream;
let dir: string;
const gateways: TestGateway[] = [];

const fileFor = (price: number) => `version: 1
providers:
  - name: mock
    type: openai
    baseUrl: ${upstream.url}
    apiKey: \${env:CAC_START_KEY}
models:
  - name: boot-model
    provider: mock
    upstreamModel: gpt-boot
    inputPrice: ${price}
virtualModels:
  - name: boot-route
    targets:
      - model: boot-model
    rules:
      - kind: prepend
        config:
          text: Answer in French.
`;

beforeAll(async () => {
  upstream = await startOpenAIChatMock({ apiKey: 'start-upstream-key-123456' });
  dir = mkdtempSync(path.join(tmpdir(), 'config-start-'));
  process.env.CAC_START_KEY = 'start-upstream-key-123456';
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GATEWAY_CONFIG', () => {
  test('the file is applied before the gateway serves, marked managed, and followed on change with GATEWAY_CONFIG_WATCH', async () => {
    const file = path.join(dir, 'gateway.yaml');
    writeFileSync(file, fileFor(0.000001));
    const gw = await startTestGateway({ GATEWAY_CONFIG: file, GATEWAY_CONFIG_WATCH: '1' });
    gateways.push(gw);
    const { key } = await createKey(gw, { name: 'start' });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'boot-route', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0].message.content).toBe('Hello from openai-chat: hi');
    expect(upstream.requests.at(-1)!.body.messages[0]).toEqual({ role: 'system', content: 'Answer in French.' });
    const listed = await gw.admin<{ providers: unknown[]; models: { nodes: unknown[] }; virtualModels: unknown[]; virtualKeys: { nodes: unknown[] } }>(
      '{ providers { name managedBy } models { nodes { name managedBy } } virtualModels { name managedBy } virtualKeys { nodes { name managedBy } } }',
    );
    expect(listed.providers).toEqual([{ name: 'mock', managedBy: 'config' }]);
    expect(listed.models.nodes).toEqual([{ name: 'boot-model', managedBy: 'config' }]);
    expect(listed.virtualModels).toEqual([{ name: 'boot-route', managedBy: 'config' }]);
    expect(listed.virtualKeys.nodes).toEqual([{ name: 'start', managedBy: null }]);

    // Replaced as editors and config maps do: write beside, then rename over.
    writeFileSync(`${file}.tmp`, fileFor(0.000003));
    renameSync(`${file}.tmp`, file);
    await waitFor(async () => (await gw.services.db.model.findUnique({ where: { name: 'boot-model' } }))?.inputPrice === 0.000003, {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    await waitFor(async () => gw.services.snapshot.current.modelsByName.get('boot-model')?.inputPrice === 0.000003, { timeoutMs: 10_000, intervalMs: 100 });

    // A bad edit is refused and the running configuration kept.
    writeFileSync(file, 'version: 1\nmodels:\n  - name: boot-model\n    provider: missing\n');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await gw.services.db.model.findUnique({ where: { name: 'boot-model' } }))!.providerId).toBeTruthy();
    expect(gw.services.snapshot.current.modelsByName.get('boot-model')?.inputPrice).toBe(0.000003);
  });

  test('a bad file stops the start with every problem named', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'config-bad-start-'));
    const file = path.join(data, 'bad.yaml');
    writeFileSync(
      file,
      'version: 1\nproviders:\n  - name: p\n    type: openai\n    apiKey: ${env:CAC_NEVER_SET}\nmodels:\n  - name: m\n    provider: nowhere\n',
    );
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DB_PATH: path.join(data, 'gateway.db'),
      DATABASE_URL: '',
      GATEWAY_CONFIG: file,
    };
    const failed = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], { cwd: ROOT, env, timeout: 60_000 }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`GATEWAY_CONFIG ${file} was not applied`);
    expect(failed.stderr).toContain('providers.p.apiKey: environment variable CAC_NEVER_SET is not set');
    rmSync(data, { recursive: true, force: true });
  });

  test('a restart with the same file changes nothing', async () => {
    const file = path.join(dir, 'same.yaml');
    writeFileSync(file, fileFor(0.000002));
    const data = mkdtempSync(path.join(tmpdir(), 'config-restart-'));
    const first = await startTestGateway({ GATEWAY_CONFIG: file }, data);
    const before = await first.services.db.model.findUniqueOrThrow({ where: { name: 'boot-model' } });
    await first.close();
    const second = await startTestGateway({ GATEWAY_CONFIG: file }, data);
    gateways.push(second);
    const after = await second.services.db.model.findUniqueOrThrow({ where: { name: 'boot-model' } });
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(after.id).toBe(before.id);
  });
});

describe('CLI on the database directly', () => {
  test('export, apply and diff against DB_PATH with no gateway running', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'config-cli-db-'));
    const env = {
      ...process.env,
      DB_PATH: path.join(data, 'gateway.db'),
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      GATEWAY_URL: '',
      GATEWAY_TOKEN: '',
      DATABASE_URL: '',
    };
    const file = path.join(data, 'gateway.yaml');
    writeFileSync(file, fileFor(0.000001));
    const diff = await run(process.execPath, [CLI, 'config', 'diff', file], { cwd: ROOT, env, timeout: 60_000 });
    expect(diff.stdout).toContain('+ create provider "mock"');
    expect(diff.stdout).toContain('apiKey: "${env:CAC_START_KEY}"');
    expect(diff.stdout).toContain('3 to create, 0 to change, 0 to delete');
    const applied = await run(process.execPath, [CLI, 'config', 'apply', file], { cwd: ROOT, env, timeout: 60_000 });
    expect(applied.stdout).toContain('3 to create');
    const again = await run(process.execPath, [CLI, 'config', 'apply', file], { cwd: ROOT, env, timeout: 60_000 });
    expect(again.stdout).toContain('No changes');
    const out = path.join(data, 'export.yaml');
    await run(process.execPath, [CLI, 'config', 'export', out], { cwd: ROOT, env, timeout: 60_000 });
    expect(readFileSync(out, 'utf8')).toContain('apiKey: ${env:CAC_START_KEY}');
    expect(readFileSync(out, 'utf8')).not.toContain('start-upstream-key-123456');
    // The gateway started on that database serves what the CLI applied.
    // (DATABASE_URL blank: the SQLite file the CLI wrote, also in PostgreSQL suite runs.)
    const gw = await startTestGateway({ DATABASE_URL: '' }, data);
    gateways.push(gw);
    expect(gw.services.snapshot.current.providersById.size).toBe(1);
    expect([...gw.services.snapshot.current.providersById.values()][0].apiKey).toBe('start-upstream-key-123456');
    const bad = await run(process.execPath, [CLI, 'config', 'apply', path.join(data, 'missing.yaml')], { cwd: ROOT, env, timeout: 60_000 }).catch((e) => e);
    expect(bad.code).toBe(1);
    const usage = await run(process.execPath, [CLI, 'config', 'frobnicate'], { cwd: ROOT, env, timeout: 60_000 }).catch((e) => e);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage:');
  });
});

describe('published JSON Schema', () => {
  test('docs/gateway-config.schema.json is current (npm run config:schema)', () => {
    const published = JSON.parse(readFileSync(path.join(ROOT, 'docs/gateway-config.schema.json'), 'utf8'));
    expect(published).toEqual(gatewayConfigJsonSchema());
    expect(published.properties.providers.items.properties.type.enum).toContain('deepseek');
  });
});
