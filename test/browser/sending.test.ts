/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { startHarness, type Harness, type Visitor } from '../support/harness';
import { launch, open, type WatchedPage } from './support/browser';
import { enter, unexpected } from './support/chat';

let harness: Harness;
let browser: Browser;
let owner: Visitor;
let bob: WatchedPage;
let room: string;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launch()]);
  owner = await harness.visitor();
  room = await owner.createRoom({ title: 'Unreliable network' });
  bob = await open(browser);
  await enter(bob.page, harness.url, room);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

afterEach(() => expect(unexpected(bob.problems)).toEqual([]));

/** How many times the room's history (as the owner reads it) holds `text`. */
async function saved(text: string): Promise<number> {
  const res = await owner.agent.get(`/room/${room}/chats`).set('accept', 'application/json');
  return (res.body as { messages: { chat?: string }[] }).messages.filter((m) => m.chat === text)
    .length;
}

const shown = (page: Page, text: string) =>
  page.locator('#messages .msg-text', { hasText: text }).count();

/**
 * A room page whose socket never connects, so it sends over HTTP (as while reconnecting). `errors`
 * stands in for the section of the page's dictionary that says refusals by code.
 */
async function withoutSocket(errors?: Record<string, string>): Promise<WatchedPage> {
  const watched = await open(browser);
  await watched.page.route(/\/socket\.io\/\?EIO=/, (route) => route.abort());
  if (errors)
    await watched.page.addInitScript((table) => {
      // Before the page's modules read it: they run once the document is parsed.
      new MutationObserver((_changes, observer) => {
        const meta = document.querySelector('meta[name="gifchat-i18n"]');
        if (!meta) return;
        observer.disconnect();
        const strings = JSON.parse(meta.getAttribute('content') ?? '{}') as object;
        meta.setAttribute('content', JSON.stringify({ ...strings, errors: table }));
      }).observe(document, { childList: true, subtree: true });
    }, errors);
  await watched.page.goto(`${harness.url}/room/${room}`);
  return watched;
}

// The browser logs the requests these tests break on purpose.
const BROKEN = [/Failed to load resource/, /status of 429/];

test('a text whose answer was lost is sent again with its client id and appears once', async () => {
  const alice = await withoutSocket();
  const bodies: { chat: string; cid: string }[] = [];
  await alice.page.route(`**/room/${room}/chat`, async (route) => {
    bodies.push(route.request().postDataJSON() as { chat: string; cid: string });
    const response = await route.fetch();
    // The server saved it, but the answer never reaches the browser.
    if (bodies.length === 1) return route.abort('connectionreset');
    await route.fulfill({ response });
  });
  await alice.page.fill('#text', 'said once over http');
  await alice.page.press('#text', 'Enter');
  // Shown at once, as pending, until the retry brings the saved message.
  await alice.page.locator('.msg.mine.is-pending', { hasText: 'said once over http' }).waitFor();
  await alice.page.locator('.msg.mine[data-seq]', { hasText: 'said once over http' }).waitFor();

  expect(bodies).toHaveLength(2);
  expect(bodies[1]).toEqual(bodies[0]);
  expect(bodies[0]?.cid).toMatch(/^[0-9a-f-]{32,36}$/);
  await bob.page.locator('.msg-text', { hasText: 'said once over http' }).waitFor();
  expect(await shown(alice.page, 'said once over http')).toBe(1);
  expect(await shown(bob.page, 'said once over http')).toBe(1);
  expect(await saved('said once over http')).toBe(1);
  expect(await alice.page.locator('.msg.is-pending, .msg.is-failed').count()).toBe(0);
  expect(unexpected(alice.problems, BROKEN)).toEqual([]);
  await alice.context.close();
});

test('a text whose acknowledgement was lost on the socket is sent again and appears once', async () => {
  const alice = await open(browser);
  const sent: string[] = [];
  let dropped = 0;
  let answered = 0;
  let upgraded: () => void = () => undefined;
  let acknowledged: () => void = () => undefined;
  const websocket = new Promise<void>((resolve) => (upgraded = resolve));
  const retried = new Promise<void>((resolve) => (acknowledged = resolve));
  await alice.page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    const mine = new Set<string>();
    ws.onMessage((frame) => {
      const text = String(frame);
      if (text === '5') upgraded();
      // Socket.IO frames: 42/chat,<ack id>["chat",{...}] out, 43/chat,<ack id>[...] back.
      const chat = /^42\/chat,(\d+)\["chat",/.exec(text);
      if (chat?.[1]) {
        sent.push(text.slice(text.indexOf('[')));
        mine.add(chat[1]);
      }
      server.send(frame);
    });
    server.onMessage((frame) => {
      const id = /^43\/chat,(\d+)\[/.exec(String(frame))?.[1];
      const forChat = id !== undefined && mine.delete(id);
      if (forChat && dropped === 0) {
        dropped += 1;
        return;
      }
      ws.send(frame);
      if (!forChat) return;
      answered += 1;
      acknowledged();
    });
  });
  await enter(alice.page, harness.url, room);
  await websocket;

  await alice.page.fill('#text', 'said once over the socket');
  await alice.page.press('#text', 'Enter');
  await bob.page.locator('.msg-text', { hasText: 'said once over the socket' }).waitFor();
  // The acknowledgement times out (10 s), and the same message goes again.
  await retried;
  await alice.page
    .locator('.msg.mine[data-seq]', { hasText: 'said once over the socket' })
    .waitFor();
  expect(answered).toBe(1);

  expect(dropped).toBe(1);
  expect(sent).toHaveLength(2);
  const [first, second] = sent.map((s) => (JSON.parse(s) as [string, { cid: string }])[1]);
  expect(second).toEqual(first);
  expect(await shown(alice.page, 'said once over the socket')).toBe(1);
  expect(await shown(bob.page, 'said once over the socket')).toBe(1);
  expect(await saved('said once over the socket')).toBe(1);
  expect(await alice.page.locator('.msg.is-pending, .msg.is-failed').count()).toBe(0);
  expect(unexpected(alice.problems)).toEqual([]);
  await alice.context.close();
});

test('a refusal is said by its code in the reader language; the message can be retried', async () => {
  const alice = await withoutSocket({ too_many_requests: 'Slow down: try again in {seconds} s' });
  await alice.page.route(`**/room/${room}/chat`, (route) =>
    route.fulfill({
      status: 429,
      contentType: 'application/json',
      body: JSON.stringify({
        ok: false,
        error: { code: 'too_many_requests', message: 'slow down', params: { seconds: 3 } },
      }),
    }),
  );
  await alice.page.fill('#text', 'refused then retried');
  await alice.page.press('#text', 'Enter');
  await alice.page.locator('#composer-error', { hasText: 'try again in 3 s' }).waitFor();
  expect(await alice.page.textContent('#composer-error-text')).toBe(
    'Not sent: Slow down: try again in 3 s',
  );
  const failed = alice.page.locator('.msg.mine.is-failed', { hasText: 'refused then retried' });
  await failed.locator('.msg-status', { hasText: 'Not sent' }).waitFor();

  await alice.page.unroute(`**/room/${room}/chat`);
  await failed.locator('.msg-retry').click();
  await alice.page.locator('.msg.mine[data-seq]', { hasText: 'refused then retried' }).waitFor();
  await bob.page.locator('.msg-text', { hasText: 'refused then retried' }).waitFor();
  expect(await shown(alice.page, 'refused then retried')).toBe(1);
  expect(await saved('refused then retried')).toBe(1);
  expect(unexpected(alice.problems, BROKEN)).toEqual([]);
  await alice.context.close();
});
