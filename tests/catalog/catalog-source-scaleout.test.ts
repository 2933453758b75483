import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closedPort } from '../support/proxy-fixture.js';
import { startGatewayProcess, startTwoInstances, type GatewayProcess, type TwoInstances } from '../scaleout/support.js';
import { readFixture, startCatalogServer, type CatalogServer } from './catalog-server.js';

const STATUS = '{ catalogStatus { origin sourceKind sourceUrl entryCount } }';
const SET = 'mutation($input: CatalogSourceInput!) { setCatalogSource(input: $input) { ok error status { origin entryCount } } }';
type Status = { origin: string; sourceKind: string; sourceUrl: string; entryCount: number };
/** SET's answer. */
type SetSource = { setCatalogSource: { ok: boolean; error: string | null; status: { origin: string; entryCount: number } } };

// Two gateway processes on one PostgreSQL database and one Redis: a catalog source set on one
// instance (a fetch from a new address, an upload, the built-in copy) is the copy the other serves.
describe('catalog source on one instance of two', () => {
  let catalog: CatalogServer;
  let instances: TwoInstances<GatewayProcess> | undefined;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    catalog = await startCatalogServer(readFixture());
    const unreachable = `http://127.0.0.1:${await closedPort()}/model_prices_and_context_window.json`;
    instances = await startTwoInstances('catalog-source', startGatewayProcess, {
      env: { LITELLM_CATALOG_URL: unreachable, CATALOG_REFRESH_HOURS: '0', CATALOG_FETCH_TIMEOUT_MS: '1000' },
    });
    ({ a, b } = instances);
  }, 120_000);

  afterAll(async () => {
    await instances?.stop();
    await catalog?.close();
  });

  const statusOf = async (instance: GatewayProcess) => (await instance.admin<{ catalogStatus: Status }>(STATUS)).catalogStatus;

  test('the other instance follows a new address, an upload and the built-in copy', async () => {
    expect((await statusOf(b)).origin).toBe('builtin');

    const fetched = await a.admin<SetSource>(SET, { input: { kind: 'URL', url: catalog.url } });
    expect(fetched.setCatalogSource).toEqual({ ok: true, error: null, status: { origin: 'fetched', entryCount: 54 } });
    await expect.poll(() => statusOf(b), { timeout: 10_000 }).toEqual({ origin: 'fetched', sourceKind: 'URL', sourceUrl: catalog.url, entryCount: 54 });
    expect(catalog.requests).toBe(1);

    // An upload of fewer entries (still a usable catalog): the other instance serves exactly it.
    const entries = Object.entries(JSON.parse(readFixture()) as Record<string, unknown>);
    const smaller = JSON.stringify(Object.fromEntries(entries.slice(0, entries.length - 2)));
    const uploaded = await a.admin<SetSource>(SET, { input: { kind: 'UPLOAD', fileName: 'smaller.json', text: smaller } });
    expect(uploaded.setCatalogSource.status).toEqual({ origin: 'uploaded', entryCount: 52 });
    await expect.poll(() => statusOf(b), { timeout: 10_000 }).toEqual({ origin: 'uploaded', sourceKind: 'UPLOAD', sourceUrl: 'smaller.json', entryCount: 52 });

    await a.admin(SET, { input: { kind: 'BUILTIN' } });
    await expect.poll(async () => (await statusOf(b)).origin, { timeout: 10_000 }).toBe('builtin');
    expect(catalog.requests).toBe(1);
  });
});
