/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { startHarness, type Harness, type Visitor } from '../support/harness';
import { launch, open, setVisibility, type WatchedPage } from './support/browser';
import { enter, texts, unexpected } from './support/chat';

let harness: Harness;
let browser: Browser;
let poster: Visitor;
let reader: WatchedPage;
let room: string;

const post = (text: string) =>
  poster.agent
    .post(`/room/${room}/chat`)
    .set('x-csrf-token', poster.csrf)
    .send({ chat: text })
    .expect(201);

const scrollState = () =>
  reader.page.evaluate(() => {
    const s = document.getElementById('scroller') as HTMLElement;
    return { top: s.scrollTop, fromBottom: s.scrollHeight - s.scrollTop - s.clientHeight };
  });

const lastText = () => reader.page.locator('#messages .msg-text').last().textContent();

beforeAll(async () => {
  // Seeding 60 messages quickly is not a flood here.
  [harness, browser] = await Promise.all([startHarness({ MESSAGES_PER_10S: 1000 }), launch()]);
  poster = await harness.visitor();
  room = await poster.createRoom({ title: 'Busy room' });
  for (let i = 1; i <= 60; i++) await post(`message ${i}`);
  reader = await open(browser, { viewport: { width: 1000, height: 700 } });
  await enter(reader.page, harness.url, room);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

afterEach(() => expect(unexpected(reader?.problems ?? ['no page'])).toEqual([]));

test('the page opens at the latest messages, and older ones load as you scroll up', async () => {
  const shown = await texts(reader.page);
  expect(shown).toHaveLength(50);
  expect(shown[0]).toBe('message 11');
  expect(shown.at(-1)).toBe('message 60');
  expect((await scrollState()).fromBottom).toBeLessThan(2);
  expect(await reader.page.isVisible('#older')).toBe(true);

  // The message at the top stays where it is on screen while older ones go in above it.
  const offset = () =>
    reader.page.evaluate(() => {
      const s = document.getElementById('scroller') as HTMLElement;
      const m = document.querySelector('#messages li[data-seq="11"]') as HTMLElement;
      return Math.round(m.getBoundingClientRect().top - s.getBoundingClientRect().top);
    });
  const before = await reader.page.evaluate(() => {
    const s = document.getElementById('scroller') as HTMLElement;
    s.scrollTop = 0;
    const m = document.querySelector('#messages li[data-seq="11"]') as HTMLElement;
    return Math.round(m.getBoundingClientRect().top - s.getBoundingClientRect().top);
  });
  await reader.page.waitForFunction(
    () => document.querySelectorAll('#messages .msg-text').length === 60,
  );
  const all = await texts(reader.page);
  expect(all).toEqual(Array.from({ length: 60 }, (_, i) => `message ${i + 1}`));
  expect(await reader.page.isHidden('#older')).toBe(true);
  expect(await reader.page.isVisible('#history-start')).toBe(true);
  expect(Math.abs((await offset()) - before)).toBeLessThanOrEqual(2);
  expect((await scrollState()).top).toBeGreaterThan(100);
});

test('a new message does not yank you down when you scrolled up: a button offers to jump', async () => {
  await reader.page.evaluate(
    () => ((document.getElementById('scroller') as HTMLElement).scrollTop = 400),
  );
  const before = await scrollState();
  await post('while you were reading');
  await reader.page.locator('#jump', { hasText: '1 new message' }).waitFor();
  expect((await scrollState()).top).toBe(before.top);
  // The "new messages" line marks where the unread part starts.
  const divider = reader.page.locator('#messages .divider');
  expect(await divider.count()).toBe(1);
  expect(await divider.evaluate((d) => d.nextElementSibling?.textContent)).toContain(
    'while you were reading',
  );

  await post('and another');
  await reader.page.locator('#jump', { hasText: '2 new messages' }).waitFor();
  await reader.page.click('#jump');
  await reader.page.waitForFunction(() => {
    const s = document.getElementById('scroller') as HTMLElement;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 2;
  });
  await reader.page.locator('#jump').waitFor({ state: 'hidden' });
});

test('at the bottom, new messages scroll into view', async () => {
  await post('keep me in view');
  await reader.page.waitForFunction(() =>
    document.querySelector('#messages .msg:last-child')?.textContent?.includes('keep me in view'),
  );
  expect(await lastText()).toBe('keep me in view');
  expect((await scrollState()).fromBottom).toBeLessThan(2);
  expect(await reader.page.isHidden('#jump')).toBe(true);
});

test('a hidden tab counts unread messages in its title and marks where you left off', async () => {
  const title = await reader.page.title();
  expect(title).toBe('Busy room · GifChat');
  await setVisibility(reader.page, 'hidden');
  await post('unread one');
  await reader.page.waitForFunction(() => document.title === '(1) Busy room · GifChat');
  await post('unread two');
  await post('unread three');
  await reader.page.waitForFunction(() => document.title === '(3) Busy room · GifChat');
  const divider = reader.page.locator('#messages .divider');
  expect(await divider.count()).toBe(1);
  expect(await divider.evaluate((d) => d.nextElementSibling?.textContent)).toContain('unread one');

  await setVisibility(reader.page, 'visible');
  await reader.page.waitForFunction((t) => document.title === t, title);
  // The line stays, so the reader can see where the new part began.
  expect(await divider.count()).toBe(1);
});

test('after a dropped connection, what was missed arrives once, in order', async () => {
  const before = await texts(reader.page);
  const chat = harness.io.of('/chat');
  for (const socket of chat.sockets.values()) socket.conn.close();
  await reader.page.locator('#connection', { hasText: 'Reconnecting' }).waitFor();
  await post('missed one');
  await post('missed two');
  await reader.page.locator('#connection', { hasText: 'Connected again' }).waitFor();
  await reader.page.locator('.msg-text', { hasText: 'missed two' }).waitFor();
  await post('after the drop');
  await reader.page.locator('.msg-text', { hasText: 'after the drop' }).waitFor();
  expect(await texts(reader.page)).toEqual([
    ...before,
    'missed one',
    'missed two',
    'after the drop',
  ]);
  const seqs = await reader.page.$$eval('#messages li[data-seq]', (items) =>
    items.map((li) => Number((li as HTMLElement).dataset.seq)),
  );
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
});
