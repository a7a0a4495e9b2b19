/// <reference lib="dom" />
import type { Socket } from 'socket.io-client';
import { ask, GIF_BYTES, type ChatMessage, type Visitor } from '../support/harness';
import { setVisibility } from './support/browser';
import { myPid, say } from './support/chat';
import { showTools, usePair } from './support/pair';

const pair = usePair('Reports and more', { REPORTS_TO_BLUR: 1 });

/** A third person, outside the browsers, who posts into the room. */
async function carol(): Promise<{ v: Visitor; socket: Socket; pid: string }> {
  const v = await pair.harness.visitor();
  await v.agent.get(`/room/${pair.room}`).expect(200);
  const socket = await v.socket();
  const joined = await ask<{ pid: string }>(socket, 'join', { room: pair.room });
  return { v, socket, pid: joined.data!.pid };
}

test('a reported GIF is blurred for everyone ("show anyway") and the owner dismisses it from the queue', async () => {
  const c = await carol();
  const upload = await c.v.agent
    .post(`/room/${pair.room}/gif`)
    .set('x-csrf-token', c.v.csrf)
    .attach('gif', GIF_BYTES, 'x.gif')
    .expect(201);
  const gif = upload.body as ChatMessage;
  const onBob = pair.bob.page.locator(`li[data-seq="${gif.seq}"]`);
  await showTools(onBob);
  await onBob.locator('[data-act="report"]').click();
  await pair.bob.page.click('#confirm-ok');
  await pair.bob.page.locator('#composer-error', { hasText: 'Reported' }).waitFor();

  const onAlice = pair.alice.page.locator(`li.is-blurred[data-seq="${gif.seq}"]`);
  await onAlice.waitFor();
  await pair.bob.page.locator(`li.is-blurred[data-seq="${gif.seq}"] .unblur`).click();
  await pair.bob.page.locator(`li:not(.is-blurred)[data-seq="${gif.seq}"]`).waitFor();

  const item = pair.alice.page.locator('#reports li.report');
  await item.locator('.hint', { hasText: 'Reported by 1' }).waitFor();
  await item.locator('button', { hasText: 'Dismiss' }).click();
  await pair.alice.page.locator(`li:not(.is-blurred)[data-seq="${gif.seq}"]`).waitFor();
  await pair.alice.page.locator('#reports-empty:not([hidden])').waitFor();
});

test('ignoring someone folds their messages away with a "show" toggle, kept after a reload', async () => {
  const c = await carol();
  await ask(c.socket, 'chat', { chat: 'you will not see me' });
  const row = pair.bob.page.locator(`#people li.person[data-pid="${c.pid}"]`);
  await row.locator('[data-action="ignore"]').click();
  await row.locator('.ignored-tag').waitFor();
  const folded = pair.bob.page.locator('li.is-ignored', { hasText: 'you will not see me' });
  await folded.locator('.ignored-note').waitFor();
  expect(await folded.locator('.msg-text').isVisible()).toBe(false);
  await folded.locator('.ignored-toggle').click();
  expect(await folded.locator('.msg-text').isVisible()).toBe(true);

  await pair.bob.page.reload();
  await pair.bob.page.waitForSelector('body.is-live');
  await pair.bob.page
    .locator('li.is-ignored', { hasText: 'you will not see me' })
    .locator('.ignored-note')
    .waitFor();
  // Alice does not ignore anyone.
  await pair.alice.page.locator('li.msg .msg-text', { hasText: 'you will not see me' }).waitFor();
});

test('@name highlights the message for that person and counts in the hidden tab’s title', async () => {
  await pair.alice.page.fill('#nick', 'Alice');
  await pair.alice.page.click('#nick-form button[type=submit]');
  await pair.alice.page.locator('#nick-status', { hasText: 'Saved' }).waitFor();
  await setVisibility(pair.alice.page, 'hidden');
  await say(pair.bob.page, 'hey @alice look at this');
  await pair.alice.page.locator('li.is-mention', { hasText: 'look at this' }).waitFor();
  expect(await pair.alice.page.title()).toMatch(/^\(@1\) \(1\) /);
  await setVisibility(pair.alice.page, 'visible');
  expect(await pair.alice.page.title()).not.toMatch(/@/);
  // Not a mention for bob, who wrote it; the sound setting is off by default.
  expect(await pair.bob.page.locator('li.is-mention').count()).toBe(0);
  expect(await pair.alice.page.isChecked('#mention-sound')).toBe(false);
  expect(await myPid(pair.alice.page)).not.toBe('');
});
