import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, collectPageErrors, openUi, screenshot, signedInContext } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { chatWithKey, createKey, createModel, createProvider, type CreatedKey } from '../support/proxy-fixture.js';
import { createVirtualModel } from '../support/admin.js';

/**
 * The dashboard against a real gateway: traffic through two keys (one request
 * failing), numbers checked against what was sent, then more traffic while the
 * page stays open. The mock reports 12 input and 8 output tokens per answer.
 */
describe('admin UI: dashboard', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let frontend: CreatedKey;
  let batch: CreatedKey;
  const modelIds: Record<string, string> = {};

  // Per request: alpha 12 × 0.001 + 8 × 0.002 = $0.028; beta ten times that, $0.28.
  const PRICES = { alpha: { inputPrice: 0.001, outputPrice: 0.002 }, beta: { inputPrice: 0.01, outputPrice: 0.02 } };

  const chat = (key: CreatedKey, model: string) => chatWithKey(gateway, key.key, model);

  beforeAll(async () => {
    assertClientBuilt();
    // A short flush interval keeps the test quick; the dashboard waits longer than the default anyway.
    gateway = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    upstream = await startOpenAIChatMock();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: upstream.url });
    for (const name of ['alpha', 'beta'] as const) {
      modelIds[name] = await createModel(gateway, providerId, name, `${name}-upstream`, PRICES[name]);
    }
    await createVirtualModel(gateway, {
      name: 'chat-route',
      strategy: 'FAILOVER',
      options: { failureThreshold: 1, cooldownMs: 600_000, retries: 1 },
      targets: [
        { modelId: modelIds.alpha, priority: 0 },
        { modelId: modelIds.beta, priority: 1 },
      ],
    });
    frontend = await createKey(gateway, { name: 'frontend-app' });
    batch = await createKey(gateway, { name: 'batch-jobs' });

    // 6 requests, 2 errors: an upstream refusal (400) and an unknown model (404, no provider).
    for (let i = 0; i < 3; i++) expect((await chat(frontend, 'alpha')).status).toBe(200);
    upstream.enqueue({ type: 'error', status: 400 });
    expect((await chat(frontend, 'alpha')).status).toBe(400);
    expect((await chat(batch, 'beta')).status).toBe(200);
    expect((await chat(batch, 'no-such-model')).status).toBe(404);

    ({ browser, page, pageErrors } = await openUi({
      token: await gateway.adminToken(),
      viewport: { width: 1366, height: 900 },
      colorScheme: 'light',
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  const metric = (name: string) => page.getByTestId(`metric-${name}-value`);
  const rowOf = (table: string, name: string) => page.getByRole('table', { name: table }).getByRole('row', { name: new RegExp(name) });
  const cells = async (row: Locator) => (await row.locator('th, td').allTextContents()).map((t) => t.trim());
  const chartSummary = (testid: string) => page.getByTestId(testid).locator('canvas').textContent();

  /** Pixels the chart painted (any non-transparent one): axes, legend and bars. */
  const paintedPixels = (testid: string) =>
    page
      .getByTestId(testid)
      .locator('canvas')
      .evaluate((canvas: HTMLCanvasElement) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
        return { painted, width: canvas.width, height: canvas.height };
      });

  it("shows today's requests, errors, tokens and cost, the top keys and models, and drawn charts", async () => {
    await page.goto(`${gateway.url}/`);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    await expect.poll(() => metric('requests').textContent()).toBe('6');
    expect(await metric('errors').textContent()).toBe('2');
    expect(await page.getByTestId('metric-errors').textContent()).toContain('33% of requests');
    // 4 answers × (12 + 8) tokens.
    expect(await metric('tokens').textContent()).toBe('80');
    expect(await page.getByTestId('metric-tokens').textContent()).toContain('48 in · 32 out');
    // 3 × $0.028 + $0.28.
    expect(await metric('cost').textContent()).toBe('$0.36');
    expect(await metric('latency').textContent()).toMatch(/^\d[\d,]* \/ \d[\d,]*$/);

    // Top keys: name (prefix), requests, errors, tokens, cost.
    const frontendRow = await cells(rowOf('Top keys', 'frontend-app'));
    expect(frontendRow[0]).toContain(frontend.key.slice(0, 8));
    expect(frontendRow.slice(1)).toEqual(['4', '1', '60', '$0.08']);
    expect((await cells(rowOf('Top keys', 'batch-jobs'))).slice(1)).toEqual(['2', '1', '20', '$0.28']);
    // Most requests first.
    expect(await page.getByRole('table', { name: 'Top keys' }).locator('tbody th').first().textContent()).toContain('frontend-app');

    expect((await cells(rowOf('Top models', 'alpha'))).slice(1)).toEqual(['4', '1', '60', '$0.08']);
    expect((await cells(rowOf('Top models', 'beta'))).slice(1)).toEqual(['1', '0', '20', '$0.28']);
    expect((await cells(rowOf('Top models', 'no-such-model'))).slice(1)).toEqual(['1', '1', '0', '$0.00']);

    // The per-minute series hold the same traffic, and every chart painted its canvas.
    expect(await chartSummary('chart-traffic')).toContain('6 requests and 2 errors in the last 60 minutes');
    expect(await chartSummary('chart-tokens')).toContain('48 input and 32 output tokens');
    expect(await chartSummary('chart-latency')).toMatch(/Highest P95 latency in the last 60 minutes: \d/);
    for (const chart of ['chart-traffic', 'chart-latency', 'chart-tokens']) {
      const canvas = await paintedPixels(chart);
      expect(canvas.width).toBeGreaterThan(200);
      expect(canvas.height).toBeGreaterThan(100);
      expect(canvas.painted).toBeGreaterThan(500);
    }

    // Health: the provider had 1 error in 5 requests this hour (the 404 never reached it); both targets are closed.
    const provider = page.getByTestId('provider-health').filter({ hasText: 'Mock OpenAI' });
    expect(await provider.getAttribute('data-level')).toBe('degraded');
    expect(await provider.textContent()).toContain('5 req · 20% errors');
    expect(await page.getByTestId('circuit-summary').textContent()).toMatch(/2\s*closed\s*0\s*half-open\s*0\s*open/);

    // Scheduled health checks, as the server reports them (none are configured here).
    const { healthSummary } = await gateway.admin<{ healthSummary: { monitoringEnabled: boolean; targets: number } }>(
      '{ healthSummary { monitoringEnabled targets } }',
    );
    expect(healthSummary.targets).toBe(0);
    await expect
      .poll(() => page.getByTestId('monitoring-summary').textContent())
      .toContain(healthSummary.monitoringEnabled ? 'No health targets yet' : 'Monitoring is off');

    // Configuration counts.
    expect(await page.getByTestId('stat-Providers').textContent()).toContain('1');
    expect(await page.getByTestId('stat-Models').textContent()).toContain('2');
    expect(await page.getByTestId('stat-Virtual keys').textContent()).toContain('2');
    expect(await page.getByTestId('stat-Virtual models').textContent()).toContain('1');
    expect(await page.getByTestId('live-status').textContent()).toContain('Live');

    await screenshot(page, 'dashboard-light');
  });

  it('follows new traffic and circuit changes without a reload', async () => {
    // Anything that reloads the page loses this marker.
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'still here'));
    const before = await paintedPixels('chart-traffic');

    // Through the virtual model: alpha fails (500), its circuit opens (threshold 1), beta answers.
    upstream.enqueue({ type: 'error', status: 500 });
    expect((await chat(batch, 'chat-route')).status).toBe(200);
    expect((await chat(batch, 'chat-route')).status).toBe(200);

    // The circuit event arrives over targetStateChanged.
    const alpha = page.getByTestId('target-health').filter({ hasText: 'alpha' });
    await expect.poll(() => alpha.getByTestId('circuit-state').getAttribute('data-state')).toBe('OPEN');
    expect(await page.getByTestId('circuit-summary').textContent()).toMatch(/1\s*closed\s*0\s*half-open\s*1\s*open/);

    // The aggregates refresh after requestLogged (logged as 2 requests to chat-route, both answered by beta).
    await expect.poll(() => metric('requests').textContent(), { timeout: 8000 }).toBe('8');
    expect(await metric('errors').textContent()).toBe('2');
    expect(await metric('cost').textContent()).toBe('$0.92');
    await expect.poll(() => cells(rowOf('Top keys', 'batch-jobs')).then((c) => c.slice(1))).toEqual(['4', '1', '60', '$0.84']);
    expect(await page.getByRole('table', { name: 'Top keys' }).locator('tbody th').first().textContent()).toContain('batch-jobs');
    expect((await cells(rowOf('Top models', 'chat-route'))).slice(1)).toEqual(['2', '0', '40', '$0.56']);
    expect(await chartSummary('chart-traffic')).toContain('8 requests and 2 errors');
    expect((await paintedPixels('chart-traffic')).painted).toBeGreaterThan(before.painted);

    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('still here');
  });

  it('renders in the dark theme and on a phone', async () => {
    await page.getByTestId('theme-toggle').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    // The charts are rebuilt with the dark theme's colours and keep their numbers.
    await expect.poll(() => chartSummary('chart-traffic')).toContain('8 requests and 2 errors');
    expect((await paintedPixels('chart-traffic')).painted).toBeGreaterThan(500);
    await screenshot(page, 'dashboard-dark');

    const phone = await signedInContext(browser, await gateway.adminToken(), { viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true });
    const mobile = await phone.newPage();
    const mobileErrors = collectPageErrors(mobile);
    await mobile.goto(`${gateway.url}/`);
    await expect.poll(() => mobile.getByTestId('metric-requests-value').textContent()).toBe('8');
    // Nothing is wider than the screen.
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    const canvasWidth = await mobile
      .getByTestId('chart-traffic')
      .locator('canvas')
      .evaluate((c: HTMLCanvasElement) => c.getBoundingClientRect().width);
    expect(canvasWidth).toBeGreaterThan(250);
    expect(canvasWidth).toBeLessThanOrEqual(390);
    await screenshot(mobile, 'dashboard-mobile-light');
    await phone.close();
    expect(mobileErrors).toEqual([]);
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
