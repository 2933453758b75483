import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, ensureChromium, launchChromium, runNeedsBrowser } from '../support/browser.js';

describe('browser set-up for the test command', () => {
  it('has made chromium available before the browser suites start', async () => {
    // The global setup installed it when it was missing (this run includes tests/ui).
    expect(existsSync(CHROMIUM_PATH)).toBe(true);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<title>ok</title>');
      expect(await page.title()).toBe('ok');
    } finally {
      await browser.close();
    }
  });

  it('stops at once with the one command to run when it may not install', () => {
    const logged: string[] = [];
    expect(() => ensureChromium({ executable: '/nonexistent/chromium', mayInstall: false, log: (l) => logged.push(l) })).toThrow(
      /Run: sudo apt-get install -y chromium/,
    );
    expect(logged).toEqual([]);
  });

  it('only asks for a browser when the run includes browser suites', () => {
    expect(runNeedsBrowser(undefined)).toBe(true);
    expect(runNeedsBrowser([])).toBe(true);
    expect(runNeedsBrowser(['tests/ui'])).toBe(true);
    expect(runNeedsBrowser(['tests/ui/admin-ui.test.ts'])).toBe(true);
    expect(runNeedsBrowser(['admin-ui'])).toBe(true);
    expect(runNeedsBrowser(['tests/proxy'])).toBe(false);
    expect(runNeedsBrowser(['tests/catalog/search.test.ts'])).toBe(false);
  });
});
