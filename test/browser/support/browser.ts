/// <reference lib="dom" />
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';

// A real browser next to the database on two shared cores is slow in a full parallel run (another
// worker may be racing 200 joins at the same moment): each test gets two minutes, while a stuck
// step still fails at 30 s and names itself.
jest.setTimeout(120_000);

/** Debian's Chromium (see DEVELOPERS.md): never a browser downloaded by a test tool. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page whose console errors, uncaught exceptions and CSP violations are collected. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors (CSP violations are reported there too) and uncaught page errors. */
  problems: string[];
}

export async function open(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  const page = await context.newPage();
  // Fail a stuck step well before jest's test timeout, so the error names the step.
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  watch(page, problems);
  return { context, page, problems };
}

export function watch(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  // CSP violations also fire a DOM event; record them even if the console wording changes.
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      // Runs in the page: the console is how the test hears about it.
      // eslint-disable-next-line no-console
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
}

/** Pretends the tab was hidden or shown (headless tabs are always "visible"). */
export async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
    Object.defineProperty(document, 'hidden', {
      configurable: true,
      get: () => value === 'hidden',
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/** True when the page is wider than its viewport (horizontal scrolling). */
export function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const root = document.documentElement;
    return root.scrollWidth > root.clientWidth || document.body.scrollWidth > root.clientWidth;
  });
}
