/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { launch, open, type WatchedPage } from './support/browser';
import { createRoom, enter, myPid, say, unexpected } from './support/chat';

let harness: Harness;
let browser: Browser;
let alice: WatchedPage;
let bob: WatchedPage;
let room: string;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launch()]);
  alice = await open(browser);
  bob = await open(browser);
  room = await createRoom(alice.page, harness.url, { title: 'Moderated room' });
  await enter(bob.page, harness.url, room);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

afterEach(() => {
  expect(unexpected(alice.problems)).toEqual([]);
  expect(unexpected(bob.problems)).toEqual([]);
});

test('slow mode: everyone sees it, the composer counts down and keeps the text; the owner is exempt', async () => {
  await alice.page.selectOption('#slow-mode', '30');
  await bob.page.locator('#slow-indicator', { hasText: 'one message per 30 s' }).waitFor();
  await say(bob.page, 'first in slow mode');
  await bob.page.fill('#text', 'too soon');
  await bob.page.press('#text', 'Enter');
  await bob.page.locator('#composer-note', { hasText: /send again in \d+ s/ }).waitFor();
  expect(await bob.page.inputValue('#text')).toBe('too soon');
  expect(await bob.page.isDisabled('#send')).toBe(true);
  // The owner may go on.
  await say(alice.page, 'owner one');
  await say(alice.page, 'owner two');
  await alice.page.selectOption('#slow-mode', '0');
  await bob.page.locator('#slow-indicator').waitFor({ state: 'hidden' });
  await bob.page.locator('#composer-note').waitFor({ state: 'hidden' });
  await bob.page.press('#text', 'Enter');
  await bob.page.locator('.msg.mine[data-seq] .msg-text', { hasText: 'too soon' }).waitFor();
});

test('mute: the owner mutes from the people list; the muted person reads but cannot write', async () => {
  const bobPid = await myPid(bob.page);
  const row = alice.page.locator(`#people li.person[data-pid="${bobPid}"]`);
  await row.locator('[data-action="mute"]').click();
  await row.locator('.muted-tag').waitFor();
  expect(await row.locator('[data-action="mute"]').getAttribute('aria-pressed')).toBe('true');
  await bob.page.locator('#composer-note', { hasText: 'muted you' }).waitFor();
  expect(await bob.page.isDisabled('#text')).toBe(true);
  expect(await bob.page.isDisabled('#gif-button')).toBe(true);
  await say(alice.page, 'can you read this');
  await bob.page.locator('.msg:not(.mine) .msg-text', { hasText: 'can you read this' }).waitFor();

  await row.locator('[data-action="mute"]').click();
  await row.locator('.muted-tag').waitFor({ state: 'detached' });
  await bob.page.locator('#composer-note').waitFor({ state: 'hidden' });
  await say(bob.page, 'thanks for unmuting');
});

test('lock: the room says so, newcomers are turned back to the lobby, which shows it', async () => {
  await alice.page.check('#lock-room');
  await bob.page.locator('#room-locked').waitFor();
  const carol = await open(browser);
  try {
    await carol.page.goto(`${harness.url}/room/${room}`);
    await carol.page.waitForURL(`${harness.url}/`);
    await carol.page.locator('#flash', { hasText: 'locked' }).waitFor();
    await carol.page.locator(`.room-card.is-locked[data-id="${room}"] .badge-locked`).waitFor();
    // Unlocked, the lobby's card follows live.
    await alice.page.uncheck('#lock-room');
    await carol.page.locator(`.room-card:not(.is-locked)[data-id="${room}"]`).waitFor();
    await bob.page.locator('#room-locked').waitFor({ state: 'hidden' });
    expect(unexpected(carol.problems)).toEqual([]);
  } finally {
    await carol.context.close();
  }
});
