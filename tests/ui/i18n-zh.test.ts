import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestGateway, type TestGateway } from '../support/gateway.js';
import { ARTIFACTS_DIR, assertClientBuilt, openUi } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { chatWithKey, createKey, createModel, createProvider } from '../support/proxy-fixture.js';
import { createVirtualModel } from '../support/admin.js';

// The screenshots in docs/ are refreshed on request only (UPDATE_DOCS_SCREENSHOTS=1), so a test run leaves the tree clean.
const SCREENSHOTS = process.env.UPDATE_DOCS_SCREENSHOTS
  ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots')
  : path.join(ARTIFACTS_DIR, 'i18n');

// Words that stay as they are in Chinese: product, protocol and unit names, and the data this test creates.
const ALLOWED_ASCII = new Set([
  'LLM',
  'API',
  'URL',
  'Base',
  'JSON',
  'HTTP',
  'RPM',
  'TPM',
  'P50',
  'P95',
  'Token',
  'token',
  'OpenAI',
  'Anthropic',
  'Gemini',
  'Responses',
  'Chat',
  'Completions',
  'Messages',
  'SDK',
  'SDKs',
  'Ollama',
  'DeepSeek',
  'Codex',
  'CLI',
  'MCP',
  // LITELLM_CATALOG_URL, the environment variable named by the catalog source setting.
  'LITELLM',
  'CATALOG',
  // The SSO settings: protocol names, and the OIDC claim and role values an admin types as they are.
  'OpenID',
  'Connect',
  'PKCE',
  'SSO',
  'issuer',
  'viewer',
  'USD',
  'ID',
  'IP',
  'mock',
  'alpha',
  'beta',
  'upstream',
  'route',
  'frontend',
  'app',
  'admin',
  'example',
  'com',
  'localhost',
  'public',
  'health',
  'v1',
  'models',
  'chat',
  'completions',
  'messages',
  'responses',
  'sk',
  'gw',
  'http',
  'https',
  'Mock',
  'openai',
  'anthropic',
  'status',
  'OK',
  'ms',
  'TTFT',
  'TTFB',
  'xx',
  'Say',
  'curl',
  'English',
  'User',
  'Agent',
  'GraphQL',
  'LiteLLM',
  'llm',
  'cost',
  'Top',
  'CSV',
  'UTC',
]);

/** English words on the page that are not data, names or units. */
async function englishLeft(page: Page): Promise<string[]> {
  // Code samples, identifiers (pre, code, monospace cells), table rows and choices of a select are data, not interface text.
  const text = await page.evaluate(() => {
    const copy = document.body.cloneNode(true) as HTMLElement;
    for (const el of copy.querySelectorAll('pre, code, .mono, script, style, tbody, select')) el.remove();
    document.body.append(copy);
    copy.style.position = 'absolute';
    const visible = copy.innerText;
    copy.remove();
    return visible;
  });
  const words =
    text
      .replace(/https?:\/\/\S+/g, ' ')
      .replace(/[\w.+-]+@[\w.-]+/g, ' ')
      .replace(/sk-gw-[\w-]+/g, ' ')
      .match(/[A-Za-z][A-Za-z0-9]+/g) ?? [];
  return [...new Set(words.filter((w) => !ALLOWED_ASCII.has(w) && !/^[0-9a-f]{6,}$/.test(w) && !/^\d/.test(w)))];
}

describe('admin UI in Simplified Chinese', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  const missing: string[] = [];

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    upstream = await startOpenAIChatMock();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: upstream.url });
    const alpha = await createModel(gateway, providerId, 'alpha', 'alpha-upstream', { inputPrice: 0.001, outputPrice: 0.002 });
    await createVirtualModel(gateway, { name: 'chat-route', strategy: 'FAILOVER', targets: [{ modelId: alpha, priority: 0 }] });
    const key = await createKey(gateway, { name: 'frontend-app' });
    for (let i = 0; i < 2; i++) {
      const res = await chatWithKey(gateway, key.key, 'alpha');
      expect(res.status).toBe(200);
    }
    // The browser asks for Chinese: the UI follows without any setting.
    ({ browser, page, pageErrors } = await openUi({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', colorScheme: 'light' }));
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  const shoot = async (name: string) => {
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  };

  it('signs in on a Chinese login page picked from the browser language', async () => {
    await page.goto(`${gateway.url}/login`);
    await page.getByRole('button', { name: '登录' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByLabel('邮箱').fill(ADMIN_EMAIL);
    await page.getByLabel('密码').fill(ADMIN_PASSWORD);
    expect(await englishLeft(page)).toEqual([]);
    await shoot('login-zh-CN');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${gateway.url}/`);
    await page.getByRole('heading', { level: 1, name: '仪表盘' }).waitFor();
  });

  const PAGES: Array<[string, string, string]> = [
    ['dashboard', '/', '仪表盘'],
    ['playground', '/playground', '调试台'],
    ['usage', '/usage', '用量'],
    ['providers', '/providers', '提供商'],
    ['models', '/models', '模型'],
    ['catalog', '/catalog', '模型目录'],
    ['keys', '/keys', '虚拟密钥'],
    ['virtual-models', '/virtual-models', '虚拟模型'],
    ['logs', '/logs', '日志'],
    ['health', '/health', '健康检查'],
    ['users', '/users', '用户'],
    ['settings', '/settings', '设置'],
  ];

  const SHOTS = ['dashboard', 'playground', 'usage', 'providers', 'models', 'catalog', 'keys', 'logs', 'virtual-models', 'settings'];

  it('shows the main pages with no English left', async () => {
    const left: Record<string, string[]> = {};
    for (const [name, url, heading] of PAGES) {
      await page.goto(`${gateway.url}${url}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForLoadState('networkidle');
      const english = await englishLeft(page);
      if (english.length > 0) left[url] = english;
      if (SHOTS.includes(name)) await shoot(`${name}-zh-CN`);
    }
    expect(left).toEqual({});
  });

  it('localises numbers, currency and dates', async () => {
    await page.goto(`${gateway.url}/logs`);
    const row = page.getByRole('table', { name: '请求日志' }).getByRole('row').nth(1);
    await expect.poll(() => row.textContent()).toContain('alpha');
    const text = (await row.textContent()) ?? '';
    // 12 input and 8 output tokens at these prices: $0.028, shown to the cent.
    expect(text).toContain('12 / 8');
    expect(text).toContain('$0.03');
  });

  it('switches to English, keeps the choice, and back', async () => {
    await page.goto(`${gateway.url}/providers`);
    await page.getByRole('heading', { level: 1, name: '提供商' }).waitFor();
    await Promise.all([page.waitForEvent('load'), page.getByLabel('语言').selectOption('en')]);
    await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
    for (const [name, url] of PAGES.filter(([n]) => SHOTS.includes(n))) {
      await page.goto(`${gateway.url}${url}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await shoot(`${name}-en`);
    }
    await page.goto(`${gateway.url}/status`);
    await page.getByText('Status').first().waitFor();
    await page.waitForLoadState('networkidle');
    await shoot('status-en');
    await page.goto(`${gateway.url}/logs`);
    await Promise.all([page.waitForEvent('load'), page.getByLabel('Language').selectOption('zh-CN')]);
    await page.getByRole('heading', { level: 1, name: '日志' }).waitFor();
  });

  it('shows the public status page in Chinese', async () => {
    await page.goto(`${gateway.url}/status`);
    await page.getByText('状态').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(await englishLeft(page)).toEqual([]);
    await shoot('status-zh-CN');
  });

  it('raised no errors in the browser', () => {
    // With monitoring off the public health endpoints answer 404 by design; nothing else may be missing.
    expect(missing.filter((url) => !new URL(url).pathname.startsWith('/public/health/'))).toEqual([]);
    const expected404s = missing.length;
    expect(pageErrors.filter((e) => !e.includes('status of 404'))).toEqual([]);
    expect(pageErrors.length - pageErrors.filter((e) => !e.includes('status of 404')).length).toBe(expected404s);
  });
});
