/**
 * The UI language is kept on the user: chosen in one browser, it is what
 * the same user gets in another browser with an English locale and nothing
 * stored; before signing in, the browser decides.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertClientBuilt, launchChromium, logIn } from '../support/browser.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestGateway, type TestGateway } from '../support/gateway.js';

describe('UI language per user', () => {
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  /** A new browser profile (no localStorage) with an English locale, signed in as the admin. */
  async function freshBrowserSignedIn() {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await logIn(page, gateway.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL(`${gateway.url}/`);
    return { context, page };
  }
  const lang = (page: Page) => page.locator('html').getAttribute('lang');

  it('a choice made in one browser follows the user to another, and back', async () => {
    const first = await freshBrowserSignedIn();
    await first.page.getByRole('navigation').getByText('Dashboard').waitFor();
    expect(await lang(first.page)).toBe('en');
    expect((await gateway.admin<{ me: { language: string | null } }>('{ me { language } }')).me.language).toBeNull();

    await Promise.all([first.page.waitForEvent('load'), first.page.getByTestId('language-switch').selectOption('zh-CN')]);
    await first.page.getByRole('navigation').getByText('仪表盘').waitFor();
    expect(await lang(first.page)).toBe('zh-CN');
    expect((await gateway.admin<{ me: { language: string | null } }>('{ me { language } }')).me.language).toBe('zh-CN');

    // Another browser: English locale, nothing stored; after sign-in the user's language wins.
    const second = await freshBrowserSignedIn();
    await second.page.getByRole('navigation').getByText('仪表盘').waitFor();
    expect(await lang(second.page)).toBe('zh-CN');

    // Switched back there, it is English for the user again.
    await Promise.all([second.page.waitForEvent('load'), second.page.getByTestId('language-switch').selectOption('en')]);
    await second.page.getByRole('navigation').getByText('Dashboard').waitFor();
    expect((await gateway.admin<{ me: { language: string | null } }>('{ me { language } }')).me.language).toBe('en');
    await Promise.all([first.context.close(), second.context.close()]);
  });

  it('refuses a language the UI does not have', async () => {
    const res = await gateway.gql('mutation { setMyLanguage(language: "fr") { id } }', undefined, await gateway.adminToken());
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
