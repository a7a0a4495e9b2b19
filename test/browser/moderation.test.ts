/// <reference lib="dom" />
import { open } from './support/browser';
import { myPid, say, unexpected } from './support/chat';
import { usePair } from './support/pair';

const pair = usePair('Moderated room');

test('slow mode: everyone sees it, the composer counts down and keeps the text; the owner is exempt', async () => {
  await pair.alice.page.selectOption('#slow-mode', '30');
  await pair.bob.page.locator('#slow-indicator', { hasText: 'one message per 30 s' }).waitFor();
  await say(pair.bob.page, 'first in slow mode');
  await pair.bob.page.fill('#text', 'too soon');
  await pair.bob.page.press('#text', 'Enter');
  await pair.bob.page.locator('#composer-note', { hasText: /send again in \d+ s/ }).waitFor();
  expect(await pair.bob.page.inputValue('#text')).toBe('too soon');
  expect(await pair.bob.page.isDisabled('#send')).toBe(true);
  // The owner may go on.
  await say(pair.alice.page, 'owner one');
  await say(pair.alice.page, 'owner two');
  await pair.alice.page.selectOption('#slow-mode', '0');
  await pair.bob.page.locator('#slow-indicator').waitFor({ state: 'hidden' });
  await pair.bob.page.locator('#composer-note').waitFor({ state: 'hidden' });
  await pair.bob.page.press('#text', 'Enter');
  await pair.bob.page.locator('.msg.mine[data-seq] .msg-text', { hasText: 'too soon' }).waitFor();
});

test('mute: the owner mutes from the people list; the muted person reads but cannot write', async () => {
  const bobPid = await myPid(pair.bob.page);
  const row = pair.alice.page.locator(`#people li.person[data-pid="${bobPid}"]`);
  await row.locator('[data-action="mute"]').click();
  await row.locator('.muted-tag').waitFor();
  expect(await row.locator('[data-action="mute"]').getAttribute('aria-pressed')).toBe('true');
  await pair.bob.page.locator('#composer-note', { hasText: 'muted you' }).waitFor();
  expect(await pair.bob.page.isDisabled('#text')).toBe(true);
  expect(await pair.bob.page.isDisabled('#gif-button')).toBe(true);
  await say(pair.alice.page, 'can you read this');
  await pair.bob.page
    .locator('.msg:not(.mine) .msg-text', { hasText: 'can you read this' })
    .waitFor();

  await row.locator('[data-action="mute"]').click();
  await row.locator('.muted-tag').waitFor({ state: 'detached' });
  await pair.bob.page.locator('#composer-note').waitFor({ state: 'hidden' });
  await say(pair.bob.page, 'thanks for unmuting');
});

test('lock: the room says so, newcomers are turned back to the lobby, which shows it', async () => {
  await pair.alice.page.check('#lock-room');
  await pair.bob.page.locator('#room-locked').waitFor();
  const carol = await open(pair.browser);
  try {
    await carol.page.goto(`${pair.harness.url}/room/${pair.room}`);
    await carol.page.waitForURL(`${pair.harness.url}/`);
    await carol.page.locator('#flash', { hasText: 'locked' }).waitFor();
    await carol.page
      .locator(`.room-card.is-locked[data-id="${pair.room}"] .badge-locked`)
      .waitFor();
    // Unlocked, the lobby's card follows live.
    await pair.alice.page.uncheck('#lock-room');
    await carol.page.locator(`.room-card:not(.is-locked)[data-id="${pair.room}"]`).waitFor();
    await pair.bob.page.locator('#room-locked').waitFor({ state: 'hidden' });
    expect(unexpected(carol.problems)).toEqual([]);
  } finally {
    await carol.context.close();
  }
});
