import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertClientBuilt, ensureChromium, openUi } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey, createProvider } from '../support/admin.js';

/** Rows declared in GATEWAY_CONFIG carry a "Managed by config" badge; rows made in the UI do not. */
describe('admin UI: managed-by-config badge', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let dir: string;

  beforeAll(async () => {
    assertClientBuilt();
    ensureChromium();
    dir = mkdtempSync(path.join(tmpdir(), 'config-badge-'));
    const file = path.join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      `version: 1
providers:
  - name: from-file
    type: ollama
    baseUrl: http://127.0.0.1:9/v1
models:
  - name: file-model
    provider: from-file
virtualModels:
  - name: file-route
    targets: [{ model: file-model }]
virtualKeys:
  - name: file-key
    rpmLimit: 10
`,
    );
    gw = await startTestGateway({ GATEWAY_CONFIG: file });
    await createProvider(gw, { name: 'by-hand', type: 'ollama', baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined });
    await createKey(gw, { name: 'hand-key' });
    ({ browser, page, pageErrors } = await openUi({
      token: await gw.adminToken(),
      viewport: { width: 1366, height: 900 },
      locale: 'en-US',
      prepare: (context) => context.addInitScript(() => localStorage.setItem('gateway.language', 'en')),
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowOf = (name: string) => page.getByRole('row', { name: new RegExp(name) });

  it('marks providers, models, virtual models and keys from the file, and only those', async () => {
    for (const [route, managed, other] of [
      ['/providers', 'from-file', 'by-hand'],
      ['/models', 'file-model', undefined],
      ['/virtual-models', 'file-route', undefined],
      ['/keys', 'file-key', 'hand-key'],
    ] as const) {
      await page.goto(`${gw.url}${route}`);
      await rowOf(managed)
        .waitFor()
        .catch(async (error) => {
          throw new Error(
            `${route}: no row ${managed}; page shows: ${(
              await page
                .locator('body')
                .innerText()
                .catch(() => '')
            ).slice(0, 800)} errors: ${pageErrors.join(' | ')}`,
            { cause: error },
          );
        });
      expect(await rowOf(managed).getByText('Managed by config').count(), route).toBe(1);
      if (other) expect(await rowOf(other).getByText('Managed by config').count(), route).toBe(0);
    }
    expect(pageErrors).toEqual([]);
  });
});
