/**
 * The response cache in the admin UI, in a real browser against a real
 * gateway: caching turned on from the key form (then a hit shows in the
 * request log list and detail), the semantic cache from the virtual-model
 * form, the purge button, and auto prompt caching from the model form.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createModel, createProvider, createVirtualModel } from '../support/admin.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { openaiClient } from '../support/proxy-fixture.js';
import { addPricedUpstream, userTurn } from './helpers.js';

describe('admin UI: response cache', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let key: { key: string; id: string };

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    let modelId: string;
    ({ mock, modelId } = await addPricedUpstream(gw, 'openai-chat'));
    const embeddings = await createProvider(gw, { name: 'embeddings', type: 'openai', baseUrl: `${mock.url}/v1` });
    await createModel(gw, embeddings, 'text-embedder', 'text-embedding-3-small', { mode: 'embedding' });
    await createVirtualModel(gw, { name: 'ui-cached-vm', strategy: 'FAILOVER', targets: [{ modelId }] });
    key = await createKey(gw, { name: 'ui-cache-key' });
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await mock?.close();
  });

  const keyCache = async () =>
    (
      await gw.admin<{ virtualKeys: { nodes: Array<{ id: string; cache: { enabled: boolean; ttlSeconds: number | null } }> } }>(
        '{ virtualKeys(first: 100) { nodes { id cache { enabled ttlSeconds } } } }',
      )
    ).virtualKeys.nodes.find((k) => k.id === key.id)!.cache;

  async function ask(text: string): Promise<string | null> {
    const { response } = await openaiClient(gw, key.key)
      .chat.completions.create({ model: 'm-openai-chat', messages: userTurn(text) })
      .withResponse();
    await gw.services.caches.responses.settled();
    return response.headers.get('x-gateway-cache');
  }

  test('the key form turns caching on; a hit is marked in the request log', async () => {
    expect(await keyCache()).toEqual({ enabled: false, ttlSeconds: null });
    await page.goto(`${gw.url}/keys`);
    await page.getByRole('button', { name: 'Edit ui-cache-key' }).click();
    await page.getByRole('switch', { name: /Cache answers/ }).check({ force: true });
    await page.getByLabel('Entry lifetime').fill('120');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByText('Saved ui-cache-key', { exact: false })
      .first()
      .waitFor()
      .catch(() => undefined);
    await expect.poll(keyCache, { timeout: 10_000 }).toEqual({ enabled: true, ttlSeconds: 120 });

    expect(await ask('from the browser suite')).toBe('miss');
    expect(await ask('from the browser suite')).toBe('hit');
    await gw.services.requestLogs.flush();
    await page.goto(`${gw.url}/logs`);
    const table = page.getByRole('table', { name: 'Request logs' });
    await table.getByText('cached').first().waitFor();
    await table.getByText('cached').first().click();
    await page.getByText(/hit \(saved \$/).waitFor();

    // The dashboard's caching card: one hit of two requests for the model today.
    await page.goto(`${gw.url}/`);
    const row = page.getByRole('table', { name: 'Caching by model' }).getByRole('row', { name: /m-openai-chat/ });
    await row.waitFor();
    expect(await row.getByRole('cell').allInnerTexts()).toEqual(['1', '50%', '0%', expect.stringMatching(/^\$0\.0/)]);
  });

  test("the purge button removes the key's cached answers", async () => {
    await page.goto(`${gw.url}/keys`);
    await page.getByRole('button', { name: 'Edit ui-cache-key' }).click();
    await page.getByRole('button', { name: 'Purge cached answers' }).click();
    await page.getByText('Removed 1 cached answers').waitFor();
    expect(await ask('from the browser suite')).toBe('miss');
  });

  test('the virtual-model form sets the semantic cache with an embedding model', async () => {
    await page.goto(`${gw.url}/virtual-models`);
    await page.getByRole('button', { name: 'Edit ui-cached-vm' }).click();
    await page.getByRole('switch', { name: /Cache answers/ }).check({ force: true });
    await page.getByRole('switch', { name: /Semantic cache/ }).check({ force: true });
    await page.getByLabel('Embedding model').selectOption('text-embedder');
    await page.getByLabel('Similarity threshold').fill('0.9');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const read = async () =>
      (
        await gw.admin<{ virtualModels: Array<{ name: string; cache: unknown }> }>(
          '{ virtualModels { name cache { enabled semantic { enabled embeddingModel threshold } } } }',
        )
      ).virtualModels.find((v) => v.name === 'ui-cached-vm')!.cache;
    await expect.poll(read, { timeout: 10_000 }).toEqual({ enabled: true, semantic: { enabled: true, embeddingModel: 'text-embedder', threshold: 0.9 } });
    expect(pageErrors).toEqual([]);
  });

  test('the model form turns auto prompt cache on and off', { timeout: 90_000 }, async () => {
    const read = async () =>
      (
        await gw.admin<{ models: { nodes: Array<{ name: string; autoPromptCache: boolean }> } }>('{ models(first: 100) { nodes { name autoPromptCache } } }')
      ).models.nodes.find((m) => m.name === 'm-openai-chat')!.autoPromptCache;
    expect(await read()).toBe(false);
    for (const on of [true, false]) {
      await page.goto(`${gw.url}/models`);
      // The models page loads its list first; the machine may be busy.
      await page.getByRole('button', { name: 'Edit m-openai-chat' }).click({ timeout: 30_000 });
      const toggle = page.getByRole('switch', { name: /Auto prompt cache/ });
      expect(await toggle.isChecked()).toBe(!on);
      await toggle.setChecked(on, { force: true });
      await page.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(read, { timeout: 10_000 }).toBe(on);
      await expect.poll(() => gw.services.snapshot.current.modelsByName.get('m-openai-chat')?.autoPromptCache ?? false, { timeout: 10_000 }).toBe(on);
    }
    expect(pageErrors).toEqual([]);
  });
});
