import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestGateway, type TestGateway } from '../support/gateway.js';
import { maskSecret } from '../../server/crypto/secret-box.js';
import { assertClientBuilt, collectPageErrors, logIn, openUi, screenshot, signedInContext } from '../support/browser.js';
import { createProvider, createUser } from '../support/admin.js';

// A provider key that must never come back from the server once saved.
const PROVIDER_KEY = 'sk-test-plaintext-7f3a9c1e5b2d4f6a8c0e';
// A model's request-default header value: write-only as well.
const MODEL_HEADER = 'team-search-credential-4b8d2f6a';

describe('admin UI', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    ({ browser, page, pageErrors } = await openUi({ viewport: { width: 1366, height: 860 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const table = (name: string) => page.getByRole('table', { name });
  const navLink = (p: Page, name: string) => p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

  it('sends visitors to the login page and rejects a wrong password', async () => {
    await page.goto(`${gateway.url}/providers`);
    await page.waitForURL(/\/login\?next=%2Fproviders$/);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Invalid email or password');
  });

  it('logs in and shows the dashboard with real counts', async () => {
    await logIn(page, gateway.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL(`${gateway.url}/`);
    await expect.poll(() => page.getByTestId('user-email').textContent()).toBe(ADMIN_EMAIL);
    await expect.poll(() => page.getByTestId('stat-Users').textContent()).toContain('1');
    await expect.poll(() => page.getByTestId('stat-Providers').textContent()).toContain('0');
  });

  it('creates a provider from a preset without ever showing its key again', async () => {
    await navLink(page, 'Providers').click();
    await page.waitForURL(/\/providers$/);
    await page.getByRole('button', { name: 'New provider' }).first().click();

    const drawer = page.getByRole('dialog', { name: 'New provider' });
    await drawer.getByLabel('Type').selectOption('openai');
    // The preset fills in its base URL and a name.
    expect(await drawer.getByLabel('Base URL').inputValue()).toBe('https://api.openai.com/v1');
    expect(await drawer.getByLabel('Name').inputValue()).toBe('OpenAI');
    await drawer.getByLabel('Name').fill('OpenAI main');
    const keyInput = drawer.getByLabel('API key');
    expect(await keyInput.getAttribute('type')).toBe('password');
    await keyInput.fill(PROVIDER_KEY);
    await screenshot(page, 'provider-form-light');
    await page.getByRole('button', { name: 'Create provider' }).click();

    const row = table('Providers').getByRole('row', { name: /OpenAI main/ });
    await expect.poll(() => row.textContent()).toContain('https://api.openai.com/v1');
    expect(await row.textContent()).toContain('OpenAI');
    expect(await page.getByRole('dialog', { name: 'New provider' }).count()).toBe(0);

    expect(await page.content()).not.toContain(PROVIDER_KEY);
    await page.reload();
    await table('Providers')
      .getByRole('row', { name: /OpenAI main/ })
      .waitFor();
    expect(await page.content()).not.toContain(PROVIDER_KEY);
  });

  it('creates a model with prices entered per 1M tokens', async () => {
    await navLink(page, 'Models').click();
    await page.waitForURL(/\/models/);
    await page.getByRole('button', { name: 'New model' }).first().click();

    const drawer = page.getByRole('dialog', { name: 'New model' });
    await drawer.getByLabel('Upstream model ID').fill('gpt-4o-mini');
    expect(await drawer.getByLabel('Public name').inputValue()).toBe('gpt-4o-mini');
    await drawer.getByLabel('Context window').fill('128000');
    await drawer.getByLabel('Input', { exact: true }).fill('0.15');
    await drawer.getByLabel('Output', { exact: true }).fill('0.6');
    await page.getByRole('button', { name: 'Create model' }).click();

    const row = table('Models').getByRole('row', { name: /gpt-4o-mini/ });
    await expect.poll(() => row.textContent()).toContain('OpenAI main');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('128K');
    expect(text).toContain('$0.15');
    expect(text).toContain('$0.6');

    // The API stores USD per single token.
    const data = await gateway.admin<{ models: { nodes: { inputPrice: number; outputPrice: number }[] } }>(
      '{ models(first: 500) { nodes { inputPrice outputPrice } } }',
    );
    expect(data.models.nodes[0].inputPrice).toBeCloseTo(0.15e-6, 12);
    expect(data.models.nodes[0].outputPrice).toBeCloseTo(0.6e-6, 12);
  });

  it("edits a model's request defaults: the body as JSON, header values write-only", async () => {
    const row = table('Models').getByRole('row', { name: /gpt-4o-mini/ });
    await row.getByRole('button', { name: 'Edit gpt-4o-mini' }).click();
    let drawer = page.getByRole('dialog', { name: /gpt-4o-mini/ });
    const body = drawer.getByLabel('Body defaults (JSON)');
    await body.fill('[1]');
    await page.getByRole('button', { name: /^Save/ }).click();
    await drawer.getByText('Use a JSON object').waitFor();
    await body.fill('{ "max_tokens": 512 }');
    await drawer.getByRole('button', { name: 'Add header' }).click();
    await drawer.getByLabel('Header name 1').fill('X-Team');
    await page.getByRole('button', { name: /^Save/ }).click();
    await drawer.getByText('Type a value').waitFor();
    await drawer.getByLabel('Header value 1').fill(MODEL_HEADER);
    await page.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(() => drawer.count()).toBe(0);
    const data = await gateway.admin<{ models: { nodes: { requestDefaults: unknown }[] } }>('{ models(first: 500) { nodes { requestDefaults } } }');
    expect(data.models.nodes[0].requestDefaults).toEqual({ body: { max_tokens: 512 }, headers: { 'X-Team': maskSecret(MODEL_HEADER) } });

    // Opened again, the form shows the hint only and keeps the value when the body alone changes.
    await row.getByRole('button', { name: 'Edit gpt-4o-mini' }).click();
    drawer = page.getByRole('dialog', { name: /gpt-4o-mini/ });
    const value = drawer.getByLabel('Header value 1');
    expect(await value.inputValue()).toBe('');
    expect(await value.getAttribute('placeholder')).toContain(maskSecret(MODEL_HEADER));
    expect(await page.content()).not.toContain(MODEL_HEADER);
    await drawer.getByLabel('Body defaults (JSON)').fill('{ "max_tokens": 256 }');
    await page.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(() => drawer.count()).toBe(0);
    expect(gateway.services.snapshot.current.modelsByName.get('gpt-4o-mini')?.requestDefaults).toEqual({
      body: { max_tokens: 256 },
      headers: { 'X-Team': MODEL_HEADER },
    });
  });

  it('creates a virtual key and shows its plaintext once', async () => {
    await navLink(page, 'Virtual keys').click();
    await page.waitForURL(/\/keys$/);
    await page.getByRole('button', { name: 'New key' }).first().click();

    const drawer = page.getByRole('dialog', { name: 'New virtual key' });
    await drawer.getByLabel('Name').fill('ci-bot');
    await drawer.getByRole('button', { name: 'gpt-4o-mini' }).click();
    await drawer.getByLabel('Requests per minute').fill('60');
    await drawer.getByLabel('Budget', { exact: true }).fill('10');
    await page.getByRole('button', { name: 'Create key' }).click();

    const dialog = page.getByRole('dialog', { name: 'Virtual key created' });
    const key = (await dialog.getByTestId('created-key').textContent()) ?? '';
    expect(key).toMatch(/^sk-gw-[\w-]{20,}$/);
    expect(await dialog.textContent()).toContain('will not be shown again');
    await screenshot(page, 'key-created-light');
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await dialog.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'I have copied the key' }).click();
    await expect.poll(() => page.getByTestId('created-key').count()).toBe(0);

    const row = table('Virtual keys').getByRole('row', { name: /ci-bot/ });
    await expect.poll(() => row.textContent()).toContain('active');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain(key.slice(0, 12));
    expect(text).toContain('gpt-4o-mini');
    expect(text).toContain('60 RPM');
    expect(text).toContain('$10.00');
    // Once the dialog is closed the plaintext is gone from the page.
    expect(await page.content()).not.toContain(key);
  });

  it('takes screenshots in light and dark themes', async () => {
    const shots: Array<[string, string]> = [
      ['dashboard-empty', '/'],
      ['providers', '/providers'],
      ['keys', '/keys'],
      ['models', '/models'],
      ['users', '/users'],
      ['settings', '/settings'],
    ];
    for (const theme of ['light', 'dark'] as const) {
      for (const [name, path] of shots) {
        await page.goto(`${gateway.url}${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.locator('html').getAttribute('data-theme')).toBe(theme);
        await screenshot(page, `${name}-${theme}`);
      }
      if (theme === 'light') {
        // The toggle switches and the choice survives the reloads above.
        await page.getByTestId('theme-toggle').click();
        expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      }
    }
  });

  it('stays usable on a phone: the sidebar becomes a menu', async () => {
    const phone = await signedInContext(browser, await gateway.adminToken(), { viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true });
    const mobile = await phone.newPage();
    await mobile.goto(`${gateway.url}/keys`);
    await mobile.getByRole('heading', { name: 'Virtual keys' }).waitFor();
    expect(await navLink(mobile, 'Providers').isVisible()).toBe(false);
    await screenshot(mobile, 'keys-mobile-light');
    await mobile.getByRole('button', { name: 'Open navigation' }).click();
    await navLink(mobile, 'Providers').click();
    await mobile.waitForURL(/\/providers$/);
    await mobile.getByRole('heading', { name: 'Providers' }).waitFor();
    await phone.close();
  });

  it('shows a viewer read-only pages that follow live config changes', async () => {
    await createUser(gateway, { email: 'viewer@example.com', password: 'viewer-password', role: 'viewer' });
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await viewerContext.newPage();
    const viewerErrors = collectPageErrors(viewer);
    await logIn(viewer, gateway.url, 'viewer@example.com', 'viewer-password');
    await viewer.waitForURL(`${gateway.url}/`);
    await navLink(viewer, 'Providers').click();
    await viewer
      .getByRole('table', { name: 'Providers' })
      .getByRole('row', { name: /OpenAI main/ })
      .waitFor();
    expect(await viewer.getByRole('button', { name: 'New provider' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    expect(await navLink(viewer, 'Users').count()).toBe(0);

    // A change made elsewhere (here: over the API) reaches the open page through the configChanged subscription.
    await createProvider(gateway, { name: 'Local Ollama', type: 'ollama', apiKey: undefined });
    await viewer
      .getByRole('table', { name: 'Providers' })
      .getByRole('row', { name: /Local Ollama/ })
      .waitFor();

    await navLink(viewer, 'Settings').click();
    const monitoring = viewer.getByRole('switch', { name: 'Enable persistent monitoring' });
    expect(await monitoring.isDisabled()).toBe(true);
    await viewerContext.close();
    expect(viewerErrors).toEqual([]);
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
