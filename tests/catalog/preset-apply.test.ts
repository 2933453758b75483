import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { readFixture, REFRESH, startCatalogServer, type CatalogServer } from './catalog-server.js';
import { createProvider } from '../support/admin.js';

const PREVIEW = `query($id: ID!, $key: String, $overwrite: Boolean) {
  presetPreview(modelId: $id, catalogKey: $key, overwrite: $overwrite) { catalogKey entry { key } changes { field current proposed kept } }
}`;
/** PREVIEW's answer. */
type Preview = { presetPreview: { catalogKey: string | null; changes: unknown[] } };
/** APPLY's answer. */
type Applied = { applyModelPreset: unknown };
const APPLY = `mutation($id: ID!, $key: String, $overwrite: Boolean) {
  applyModelPreset(modelId: $id, catalogKey: $key, overwrite: $overwrite) { contextWindow maxOutputTokens inputPrice outputPrice cacheReadPrice supportsTools mode catalogKey overrides }
}`;

describe('applying a catalog preset to a model', () => {
  let gw: TestGateway;
  let catalog: CatalogServer;
  let providerId: string;

  beforeAll(async () => {
    catalog = await startCatalogServer(readFixture());
    gw = await startTestGateway({ LITELLM_CATALOG_URL: catalog.url, CATALOG_REFRESH_HOURS: '0', CATALOG_BUILTIN: 'false' });
    providerId = await createProvider(gw, { name: 'DeepSeek', type: 'deepseek', apiKey: 'sk-test-1234567890' });
  });
  afterAll(async () => {
    await gw?.stop();
    await catalog?.close();
  });

  const createModel = async (input: Record<string, unknown>) =>
    (
      await gw.admin<{ createModel: { id: string; overrides: string[] } }>(
        'mutation($input: CreateModelInput!) { createModel(input: $input) { id overrides } }',
        { input: { providerId, ...input } },
      )
    ).createModel;

  it('says clearly when the catalog was never fetched', async () => {
    const { id } = await createModel({ name: 'early', upstreamModel: 'deepseek-chat' });
    const result = await gw.gql(APPLY, { id }, await gw.adminToken());
    expect(result.errors?.[0].message).toBe('The catalog has not been fetched yet (refreshCatalog)');
    await gw.admin(REFRESH);
  });

  it('matches a DeepSeek model by provider type and upstream id, and shows the changes first', async () => {
    const { id, overrides } = await createModel({ name: 'ds-chat', upstreamModel: 'deepseek-chat', contextWindow: 32000 });
    expect(overrides).toEqual(['contextWindow']);
    const { presetPreview } = await gw.admin<Preview>(PREVIEW, { id });
    expect(presetPreview.catalogKey).toBe('deepseek/deepseek-chat');
    expect(presetPreview.changes).toEqual([
      { field: 'contextWindow', current: 32000, proposed: 65536, kept: true },
      { field: 'maxOutputTokens', current: null, proposed: 8192, kept: false },
      { field: 'inputPrice', current: null, proposed: 2.7e-7, kept: false },
      { field: 'outputPrice', current: null, proposed: 1.1e-6, kept: false },
      { field: 'cacheReadPrice', current: null, proposed: 7e-8, kept: false },
      { field: 'supportsTools', current: null, proposed: true, kept: false },
    ]);
    // Previewing writes nothing.
    expect((await gw.admin<{ model: unknown }>('query($id: ID!) { model(id: $id) { inputPrice catalogKey } }', { id })).model).toEqual({
      inputPrice: null,
      catalogKey: null,
    });

    const kept = (await gw.admin<Applied>(APPLY, { id })).applyModelPreset;
    expect(kept).toEqual({
      contextWindow: 32000,
      maxOutputTokens: 8192,
      inputPrice: 2.7e-7,
      outputPrice: 1.1e-6,
      cacheReadPrice: 7e-8,
      supportsTools: true,
      mode: 'chat',
      catalogKey: 'deepseek/deepseek-chat',
      overrides: ['contextWindow'],
    });
    // Prices reach the in-memory snapshot that computes request costs.
    expect(gw.services.snapshot.current.modelsByName.get('ds-chat')).toMatchObject({ inputPrice: 2.7e-7, outputPrice: 1.1e-6, contextWindow: 32000 });

    const { presetPreview: overwrite } = await gw.admin<Preview>(PREVIEW, { id, overwrite: true });
    expect(overwrite.changes).toEqual([{ field: 'contextWindow', current: 32000, proposed: 65536, kept: false }]);
    const replaced = (await gw.admin<Applied>(APPLY, { id, overwrite: true })).applyModelPreset;
    expect(replaced).toMatchObject({ contextWindow: 65536, overrides: [] });
  });

  it('records only values an edit really changes as set by hand', async () => {
    const { id } = await createModel({ name: 'ds-reasoner', upstreamModel: 'deepseek-reasoner' });
    await gw.admin(APPLY, { id });
    // A form sends every field back; only the changed output price becomes an override.
    const update = await gw.admin<{ updateModel: { outputPrice: number | null } }>(
      'mutation($id: ID!, $input: UpdateModelInput!) { updateModel(id: $id, input: $input) { outputPrice } }',
      {
        id,
        input: { contextWindow: 65536, inputPrice: 0.55 / 1e6, outputPrice: 3e-6, supportsReasoning: true },
      },
    );
    expect(update.updateModel.outputPrice).toBe(3e-6);
    const after = (await gw.admin<Applied>(APPLY, { id })).applyModelPreset;
    expect(after).toMatchObject({ outputPrice: 3e-6, overrides: ['outputPrice'] });
  });

  it('applies an explicitly chosen catalog key, and rejects an unknown one', async () => {
    const { id } = await createModel({ name: 'relay-4o', upstreamModel: 'my-relay-name-for-4o' });
    expect((await gw.admin<Preview>(PREVIEW, { id })).presetPreview).toEqual({ catalogKey: null, entry: null, changes: [] });
    const applied = (await gw.admin<Applied>(APPLY, { id, key: 'gpt-4o' })).applyModelPreset;
    expect(applied).toMatchObject({ catalogKey: 'gpt-4o', contextWindow: 128000, inputPrice: 2.5e-6 });
    const bad = await gw.gql(APPLY, { id, key: 'no/such-model' }, await gw.adminToken());
    expect(bad.errors?.[0]).toMatchObject({ message: 'catalogKey: "no/such-model" is not in the catalog', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('keeps viewers out of catalog changes', async () => {
    const result = await gw.gql(REFRESH, {}, null);
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
