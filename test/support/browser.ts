import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ARTIFACTS = join('artifacts', 'walkthrough');

/** Debian's Chromium, headless, with the flags a closed network needs. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser window that may reach only loopback. Requests elsewhere are
 * aborted and recorded with the page that made them: the panel must make none.
 */
export async function newWindow(browser: Browser, outside: { url: string; from: string }[]): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.route(
    (url) => !['127.0.0.1', 'localhost'].includes(url.hostname),
    (route) => {
      outside.push({ url: route.request().url(), from: route.request().frame().url() });
      return route.abort();
    },
  );
  return context;
}

let shot = 0;
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  shot += 1;
  await page.screenshot({ path: join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Picks an option of an AdminJS (react-select) field by typing it. */
export async function choose(page: Page, path: string, text: string): Promise<void> {
  const field = page.getByTestId(`property-edit-${path}`);
  await field.locator('input').first().click();
  await field.locator('input').first().fill(text);
  await page.locator('[class*="option"]', { hasText: text }).first().click();
}
