/// <reference lib="dom" />
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { ask, startHarness, type Harness, type Visitor } from '../support/harness';
import { launch, open, overflowsHorizontally, type WatchedPage } from './support/browser';
import { createRoom, enter, say, unexpected } from './support/chat';
import { bouncingBall } from './support/gif';

/**
 * The README's screenshots: the lobby and a chat with GIFs, on a desktop and a phone.
 * `UPDATE_SCREENSHOTS=1 npx jest test/browser/screenshots` writes them to docs/screenshots;
 * otherwise they go to a temporary folder, and the test still checks what they show.
 */
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';
const DESKTOP = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

let harness: Harness;
let browser: Browser;
let dir: string;
const watched: WatchedPage[] = [];

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launch()]);
  dir = UPDATE
    ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
    : await mkdtemp(path.join(os.tmpdir(), 'gifchat-screenshots-'));
  await mkdir(dir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

afterEach(() => {
  for (const w of watched) expect(unexpected(w.problems)).toEqual([]);
});

/** Someone present through a socket only, with a nickname. */
async function person(
  nick: string,
  room: string,
  visitor?: Visitor,
): Promise<{ visitor: Visitor; socket: Socket }> {
  const v = visitor ?? (await harness.visitor());
  if (!visitor) await v.agent.get(`/room/${room}`).expect(200);
  const socket = await v.socket();
  expect((await ask(socket, 'join', { room })).ok).toBe(true);
  expect((await ask(socket, 'nick', nick)).ok).toBe(true);
  return { visitor: v, socket };
}

async function setNick(page: Page, nick: string): Promise<void> {
  if (await page.isVisible('#people-toggle')) await page.click('#people-toggle');
  await page.fill('#nick', nick);
  await page.click('#nick-form button[type=submit]');
  await page.locator('#nick-status', { hasText: nick }).waitFor();
  if (await page.isVisible('#sidebar-close')) await page.click('#sidebar-close');
}

async function shoot(
  page: Page,
  name: string,
  size: { width: number; height: number },
  scale: number,
) {
  const file = path.join(dir, `${name}.png`);
  // No hover or focus ring left over from the set-up; fonts loaded.
  await page.mouse.move(2, size.height / 2);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: file });
  const png = await readFile(file);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([
    size.width * scale,
    size.height * scale,
  ]);
  expect(await overflowsHorizontally(page)).toBe(false);
}

test('screenshots of the lobby and of a chat with GIFs, desktop and phone', async () => {
  // A lobby with some life in it.
  const lofi = await harness.visitor();
  const lofiRoom = await lofi.createRoom({ title: 'Late night lo-fi', max: 2 });
  await person('Ari', lofiRoom, lofi);
  await person('Noor', lofiRoom);
  const cats = await harness.visitor();
  const catsRoom = await cats.createRoom({
    title: 'Cat GIFs only, no dogs allowed',
    max: 12,
    password: 'meow',
  });
  await person('Hana', catsRoom, cats);

  const mina = await open(browser, DESKTOP);
  const joon = await open(browser, PHONE);
  watched.push(mina, joon);
  const room = await createRoom(mina.page, harness.url, { title: 'Friday GIF party', max: 8 });
  await setNick(mina.page, 'Mina');
  const study = await harness.visitor();
  const studyRoom = await study.createRoom({
    title: '한국어 스터디 · Korean study group',
    max: 20,
  });
  await person('Seo-yeon', studyRoom, study);

  await enter(joon.page, harness.url, room);
  await setNick(joon.page, 'Joon');
  const sam = await person('Sam', room);

  await say(mina.page, 'Welcome to the Friday GIF party! Show us your best one.');
  await say(joon.page, 'Challenge accepted');
  await joon.page.setInputFiles('#gif-input', {
    name: 'ball.gif',
    mimeType: 'image/gif',
    buffer: bouncingBall({ backgrounds: [1, 5] }),
  });
  await mina.page.locator('.gif-box[data-state="playing"]').first().waitFor();
  await sam.visitor.agent
    .post(`/room/${room}/chat`)
    .set('x-csrf-token', sam.visitor.csrf)
    .send({ chat: 'ok that bounce is hypnotic. here is mine:' })
    .expect(201);
  await sam.visitor.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', sam.visitor.csrf)
    .attach('gif', bouncingBall({ backgrounds: [6, 7] }), {
      filename: 'purple.gif',
      contentType: 'image/gif',
    })
    .expect(201);
  await mina.page.setInputFiles('#gif-input', {
    name: 'sunset.gif',
    mimeType: 'image/gif',
    buffer: bouncingBall({ backgrounds: [0, 3] }),
  });
  await mina.page.waitForFunction(
    () => document.querySelectorAll('.gif-box[data-state="playing"]').length === 3,
  );
  await joon.page.waitForFunction(() => document.querySelectorAll('.gif-box').length === 3);
  const joonPid = await joon.page.evaluate(() => document.getElementById('app')?.dataset.pid ?? '');
  expect(
    (await ask(sam.socket, 'whisper', { to: joonPid, chat: 'Mina’s is the best, don’t tell her' }))
      .ok,
  ).toBe(true);
  await joon.page.locator('.msg.whisper').waitFor();
  await say(mina.page, 'Three GIFs in and nobody has played the cat card yet');
  await joon.page.locator('.msg-text', { hasText: 'cat card' }).waitFor();
  sam.socket.emit('typing', true);
  await mina.page.locator('#typing', { hasText: 'Sam is typing' }).waitFor();
  await joon.page.locator('#typing', { hasText: 'Sam is typing' }).waitFor();

  await shoot(mina.page, 'chat-desktop', DESKTOP.viewport, 1);
  await shoot(joon.page, 'chat-phone', PHONE.viewport, 2);

  const lobby = await open(browser, DESKTOP);
  const phoneLobby = await open(browser, PHONE);
  watched.push(lobby, phoneLobby);
  for (const { page } of [lobby, phoneLobby]) {
    await page.goto(harness.url);
    await page.waitForSelector('body.is-live');
    expect(await page.locator('.room-card').count()).toBe(4);
  }
  expect(await lobby.page.locator('.room-card.is-full').count()).toBe(1);
  expect(await lobby.page.locator('.room-card .badge-secret:visible').count()).toBe(1);
  await shoot(lobby.page, 'lobby-desktop', DESKTOP.viewport, 1);
  await shoot(phoneLobby.page, 'lobby-phone', PHONE.viewport, 2);
});
