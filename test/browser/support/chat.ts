/// <reference lib="dom" />
import type { Page } from 'playwright-core';

const ROOM_URL = /\/room\/([0-9a-f]{24})$/;

/** Creates a room through the form, as a person would; resolves with its id once joined. */
export async function createRoom(
  page: Page,
  base: string,
  { title = 'room', max = 10, password = '' } = {},
): Promise<string> {
  await page.goto(`${base}/room`);
  await page.fill('#title', title);
  await page.fill('#max', String(max));
  if (password) await page.fill('#password', password);
  await Promise.all([page.waitForURL(ROOM_URL), page.click('form.form button[type=submit]')]);
  await joined(page);
  return ROOM_URL.exec(page.url())?.[1] ?? '';
}

/** Opens a room page and waits for the socket to have joined it. */
export async function enter(page: Page, base: string, room: string): Promise<void> {
  await page.goto(`${base}/room/${room}`);
  await joined(page);
}

export const joined = (page: Page) => page.waitForSelector('body.is-live');

/**
 * Sends a text message with the keyboard and waits until it is shown as one's own and saved (a
 * draft, shown at once, has no seq until the server has it).
 */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await page.locator('.msg.mine[data-seq] .msg-text', { hasText: text }).last().waitFor();
}

/** The texts of the messages shown, in order. */
export const texts = (page: Page) => page.locator('#messages .msg-text').allTextContents();

export const myPid = (page: Page) =>
  page.evaluate(() => document.getElementById('app')?.dataset.pid ?? '');

/** Problems that are not expected: everything, unless a pattern allows it. */
export function unexpected(problems: string[], allowed: RegExp[] = []): string[] {
  return problems.filter((p) => !allowed.some((pattern) => pattern.test(p)));
}
