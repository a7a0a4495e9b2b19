/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { ask, type ChatMessage } from '../support/harness';
import { say } from './support/chat';
import { showTools, usePair } from './support/pair';

const pair = usePair('Conversation', { MESSAGES_PER_10S: 500 });

const bubble = (page: Page, text: string) =>
  page.locator('#messages li.msg', { has: page.locator('.msg-text', { hasText: text }) }).last();

test('reactions: picked from the set, counted live for both, taken back with a click', async () => {
  await say(pair.alice.page, 'react to this');
  const theirs = bubble(pair.bob.page, 'react to this');
  await showTools(theirs);
  await theirs.locator('[data-act="react"]').click();
  await theirs.locator('.reaction-picker [data-emoji="👍"]').click();
  const seen = bubble(pair.alice.page, 'react to this').locator('.reaction[data-emoji="👍"]');
  await seen.locator('.reaction-n', { hasText: '1' }).waitFor();
  expect(await seen.getAttribute('aria-pressed')).toBe('false');
  const mine = theirs.locator('.reaction[data-emoji="👍"]');
  expect(await mine.getAttribute('aria-pressed')).toBe('true');
  await mine.click();
  await seen.waitFor({ state: 'detached' });
});

test('reply: the composer quotes the message, the reply shows name and snippet for everyone', async () => {
  await say(pair.alice.page, 'what GIF should I send?');
  const original = bubble(pair.bob.page, 'what GIF should I send?');
  await showTools(original);
  await original.locator('[data-act="reply"]').click();
  await pair.bob.page.locator('#reply-chip:not([hidden])').waitFor();
  await say(pair.bob.page, 'the dancing cat');
  const reply = bubble(pair.alice.page, 'the dancing cat');
  await reply.locator('.msg-quote .quote-text', { hasText: 'what GIF should I send?' }).waitFor();
  expect(await pair.bob.page.isHidden('#reply-chip')).toBe(true);
});

test('a quote clicked scrolls to its original, loading older history when needed', async () => {
  const carol = await pair.harness.visitor();
  await carol.agent.get(`/room/${pair.room}`).expect(200);
  const socket = await carol.socket();
  await ask(socket, 'join', { room: pair.room });
  const first = await ask<ChatMessage>(socket, 'chat', { chat: 'the very first question' });
  for (let i = 0; i < 55; i++) await ask(socket, 'chat', { chat: `filler ${i}` });
  await ask(socket, 'chat', { chat: 'answering the first', replyTo: first.data!._id });

  await pair.alice.page.reload();
  await pair.alice.page.waitForSelector('body.is-live');
  expect(await pair.alice.page.locator(`li[data-seq="${first.data!.seq}"]`).count()).toBe(0);
  await bubble(pair.alice.page, 'answering the first').locator('.msg-quote').click();
  await pair.alice.page.locator(`li.is-target[data-seq="${first.data!.seq}"]`).waitFor();
});

test('edit and delete one’s own message: edited mark and "deleted" line for everyone', async () => {
  await say(pair.alice.page, 'teh typo');
  const mine = bubble(pair.alice.page, 'teh typo');
  await showTools(mine);
  await mine.locator('[data-act="edit"]').click();
  await mine.locator('.msg-edit textarea').fill('the typo, fixed');
  await mine.locator('.msg-edit textarea').press('Enter');
  const theirs = bubble(pair.bob.page, 'the typo, fixed');
  await theirs.locator('.edited-tag').waitFor();
  // Others get no edit or delete tools on it.
  expect(await theirs.locator('[data-act="edit"], [data-act="delete"]').count()).toBe(0);

  const edited = bubble(pair.alice.page, 'the typo, fixed');
  await showTools(edited);
  await edited.locator('[data-act="delete"]').click();
  await pair.alice.page.click('#confirm-ok');
  const seq = await edited.getAttribute('data-seq');
  await pair.bob.page.locator(`li.is-deleted[data-seq="${seq}"] .msg-deleted`).waitFor();
  expect(await pair.bob.page.locator(`li[data-seq="${seq}"] .msg-text`).count()).toBe(0);
});
