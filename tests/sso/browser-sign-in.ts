import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { collectPageErrors } from '../support/browser.js';

/** Signs in through the login page's SSO button and the loopback provider's own forms; returns the session token the UI kept. */
export async function signInWithSso(
  browser: Browser,
  urls: { gateway: string; issuer: string },
  account: string,
): Promise<{ page: Page; token: string; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors = collectPageErrors(page);
  await page.goto(`${urls.gateway}/login`);
  await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  // The provider's login form, then its consent form.
  await page.waitForURL((url) => url.origin === urls.issuer);
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  // Back in the admin UI, signed in.
  await page.waitForURL((url) => url.origin === urls.gateway && url.pathname === '/');
  // The provider's own pages fetch things this network cannot reach; only the admin UI's errors count.
  errors.length = 0;
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  const token = await page.evaluate(() => localStorage.getItem('gateway.token'));
  expect(token).toBeTruthy();
  expect(page.url()).not.toContain('sso_token');
  return { page, token: token!, errors };
}
