import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CLIENT_BUILD_DIR = path.join(root, 'client/build');
export const ARTIFACTS_DIR = path.join(root, 'tests/artifacts');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** UI tests drive the built admin UI; they never build it themselves (too slow, and it hides build errors). */
export function assertClientBuilt(): void {
  const fallback = ['200.html', 'index.html'].some((f) => existsSync(path.join(CLIENT_BUILD_DIR, f)));
  if (!fallback) {
    throw new Error(`The admin UI is not built (${CLIENT_BUILD_DIR} has no 200.html). Run \`npm run build:client\` first.`);
  }
}

const INSTALL_COMMAND = 'apt-get install -y chromium';
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** True when this run includes a browser suite: no file filter, or a filter matching a file under tests/ui. */
export function runNeedsBrowser(filters: readonly string[] | undefined): boolean {
  if (!filters || filters.length === 0) return true;
  const uiFiles = readdirSync(path.join(root, 'tests/ui')).map((f) => path.join(root, 'tests/ui', f));
  return filters.some((filter) => {
    const absolute = path.resolve(root, filter);
    return uiFiles.some((file) => file.includes(filter) || file.startsWith(absolute));
  });
}

/**
 * Makes Debian's chromium available before browser suites start: installs it when missing and this
 * process may (root on Debian), otherwise fails at once with the one command to run.
 */
export function ensureChromium({
  executable = CHROMIUM_PATH,
  mayInstall = mayInstallChromium(),
  log = (line: string) => process.stderr.write(`${line}\n`),
}: { executable?: string; mayInstall?: boolean; log?: (line: string) => void } = {}): void {
  if (existsSync(executable)) {
    // Chinese pages need a CJK font or screenshots show empty boxes; installed alongside when we may.
    if (mayInstall && !existsSync(CJK_FONT)) aptInstall(['fonts-wqy-microhei'], log);
    return;
  }
  if (!mayInstall) {
    throw new Error(`The browser tests need Chromium at ${executable}. Run: sudo ${INSTALL_COMMAND} (or set CHROMIUM_PATH).`);
  }
  log(`Chromium is missing; installing Debian's package (${INSTALL_COMMAND})…`);
  aptInstall(['chromium', 'fonts-wqy-microhei'], log);
  if (!existsSync(executable)) throw new Error(`Chromium was installed but ${executable} is missing; set CHROMIUM_PATH.`);
}

function aptInstall(packages: string[], log: (line: string) => void): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  // A fresh image has no package lists yet; update only when the first attempt cannot find the package.
  if (install().status !== 0) {
    log('Updating the package lists (apt-get update)…');
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (install().status !== 0) throw new Error(`Installing ${packages.join(', ')} failed. Run: apt-get install -y ${packages.join(' ')}`);
  }
}

/** Root on Debian with apt-get, and no CHROMIUM_PATH pointing somewhere we should not touch. */
function mayInstallChromium(): boolean {
  return process.env.CHROMIUM_PATH === undefined && process.getuid?.() === 0 && existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
}

/** Debian's chromium: `npx playwright install` cannot download browsers on this network. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser context whose pages start signed in: the admin UI keeps its JWT in
 * localStorage, so it is put there before any page script runs.
 */
export async function signedInContext(browser: Browser, token: string, options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.addInitScript((t) => localStorage.setItem('gateway.token', t), token);
  return context;
}

/** What a UI suite drives: chromium, one context and its first page. */
export interface UiSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors of `page` (see collectPageErrors). */
  pageErrors: string[];
}

export interface UiOptions extends BrowserContextOptions {
  /** Signs the pages in with this JWT (see signedInContext); without it they start signed out. */
  token?: string;
  /** The page's default timeout for actions and waits. Default 10 s. */
  timeoutMs?: number;
  /** Runs on the context before the page opens (permissions, init scripts). */
  prepare?: (context: BrowserContext) => Promise<unknown>;
}

/** Launches chromium and opens one page, the way every UI suite starts; close `browser` in afterAll. */
export async function openUi({ token, timeoutMs = 10_000, prepare, ...contextOptions }: UiOptions): Promise<UiSession> {
  const browser = await launchChromium();
  try {
    const context = token === undefined ? await browser.newContext(contextOptions) : await signedInContext(browser, token, contextOptions);
    await prepare?.(context);
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    return { browser, context, page, pageErrors: collectPageErrors(page) };
  } catch (error) {
    // The suite never sees this browser, so its afterAll cannot close it.
    await browser.close();
    throw error;
  }
}

/** Saves a full-page screenshot to tests/artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  // Let entry animations and toasts settle so screenshots are stable.
  await page.waitForTimeout(350);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collects uncaught page errors and console errors, to assert on at the end of a test. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

export async function logIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
