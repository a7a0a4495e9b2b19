/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { launch, open, type WatchedPage } from './support/browser';
import { createRoom, enter, myPid, say, texts, unexpected } from './support/chat';
import { bouncingBall } from './support/gif';

let harness: Harness;
let browser: Browser;
let alice: WatchedPage;
let bob: WatchedPage;
let room: string;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launch()]);
  alice = await open(browser);
  bob = await open(browser);
  room = await createRoom(alice.page, harness.url, { title: 'Two browsers' });
  await enter(bob.page, harness.url, room);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

afterEach(() => {
  // Every page in this file stays free of console errors, CSP violations and uncaught exceptions.
  expect(unexpected(alice.problems)).toEqual([]);
  expect(unexpected(bob.problems)).toEqual([]);
});

test('two people chat both ways, own messages set apart, in order', async () => {
  await say(alice.page, 'hello from alice');
  await bob.page.locator('.msg:not(.mine) .msg-text', { hasText: 'hello from alice' }).waitFor();
  await say(bob.page, 'hi alice, bob here');
  await alice.page.locator('.msg:not(.mine) .msg-text', { hasText: 'bob here' }).waitFor();

  for (const page of [alice.page, bob.page]) {
    expect(await texts(page)).toEqual(['hello from alice', 'hi alice, bob here']);
    // Timestamps are filled in by the page.
    const times = await page.locator('#messages .msg:not(.system) time').allTextContents();
    expect(times.every((t) => /\d/.test(t))).toBe(true);
  }
  expect(await alice.page.locator('.msg.mine .msg-text').allTextContents()).toEqual([
    'hello from alice',
  ]);
  expect(await bob.page.locator('.msg.mine .msg-text').allTextContents()).toEqual([
    'hi alice, bob here',
  ]);
  // System messages are quiet lines, not bubbles with a name.
  const joinLine = bob.page.locator('.msg.system', { hasText: 'joined' }).first();
  await joinLine.waitFor();
  expect(await joinLine.locator('.chip').count()).toBe(0);
  // The log is announced politely to screen readers.
  expect(await alice.page.getAttribute('#messages', 'role')).toBe('log');
  expect(await alice.page.getAttribute('#messages', 'aria-live')).toBe('polite');
});

test('text that looks like HTML stays text', async () => {
  await say(alice.page, '<img src=x onerror="window.pwned=1"><b>bold</b>');
  await bob.page.locator('.msg-text', { hasText: '<b>bold</b>' }).waitFor();
  expect(
    await bob.page.evaluate(() => (window as unknown as { pwned?: number }).pwned),
  ).toBeUndefined();
  expect(await bob.page.locator('#messages b').count()).toBe(0);
});

test('the participant list shows both people, the owner badge and "you"', async () => {
  for (const page of [alice.page, bob.page]) {
    await page.waitForFunction(() => document.querySelectorAll('#people .person').length === 2);
    const mine = page.locator(`#people .person[data-pid="${await myPid(page)}"]`);
    expect(await mine.locator('.you-tag').count()).toBe(1);
  }
  const owner = alice.page.locator(`#people .person[data-pid="${await myPid(alice.page)}"]`);
  expect(await owner.locator('.owner-badge').count()).toBe(1);
  // Names sit on a neutral chip with a coloured dot: the dot has the colour, the text does not.
  const colours = await alice.page.evaluate(() => {
    const chip = document.querySelector('#people .chip') as HTMLElement;
    const dot = chip.querySelector('.dot') as HTMLElement;
    return { text: getComputedStyle(chip).color, dot: dot.style.backgroundColor };
  });
  expect(colours.dot).toMatch(/^rgb/);
  expect(['rgb(22, 24, 32)', 'rgb(236, 238, 244)']).toContain(colours.text);
});

test('a GIF upload shows progress and appears for the other person', async () => {
  // Slow the upload down so the progress bar has something to show.
  const cdp = await alice.context.newCDPSession(alice.page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 1_000_000,
  });
  await alice.page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    const bar = document.getElementById('upload') as HTMLElement;
    const progress = document.getElementById('upload-progress') as HTMLProgressElement;
    new MutationObserver(() => {
      if (!bar.hidden) seen.push(progress.value);
    }).observe(bar, { attributes: true, subtree: true, childList: true, characterData: true });
  });
  const before = await bob.page.locator('#messages .gif-box').count();
  const gif = bouncingBall({ padding: 1_200_000 });
  await alice.page.setInputFiles('#gif-input', {
    name: 'ball.gif',
    mimeType: 'image/gif',
    buffer: gif,
  });
  await alice.page.locator('#upload').waitFor({ state: 'visible' });
  await alice.page.locator('#upload').waitFor({ state: 'hidden' });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await cdp.detach();

  const seen = await alice.page.evaluate(
    () => (window as unknown as { progressSeen: number[] }).progressSeen,
  );
  expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));

  await alice.page.locator('.msg.mine .gif-box[data-state="playing"]').last().waitFor();
  await bob.page.waitForFunction(
    (n) => document.querySelectorAll('#messages .gif-box').length === n + 1,
    before,
  );
  const box = bob.page.locator('#messages .gif-box').last();
  await bob.page.locator('#messages .gif-box[data-state="playing"]').last().waitFor();
  // A fixed box: the same size before and after the image loaded.
  const size = await box.boundingBox();
  expect(size && Math.round((size.width / size.height) * 100)).toBe(133);
  expect(await box.getAttribute('data-src')).toMatch(/^\/gif\/[a-f0-9]{32}\.gif$/);
});

test('drag-and-drop and paste send a GIF too', async () => {
  const count = () => bob.page.locator('#messages .gif-box').count();
  const before = await count();
  const bytes = [...bouncingBall({ backgrounds: [5, 1] })];
  await alice.page.evaluate((data) => {
    const file = new File([new Uint8Array(data)], 'dropped.gif', { type: 'image/gif' });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    const target = document.getElementById('scroller') as HTMLElement;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(
        new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }),
      );
    }
  }, bytes);
  await bob.page.waitForFunction(
    (n) => document.querySelectorAll('#messages .gif-box').length === n + 1,
    before,
  );
  expect(await alice.page.locator('#drop-overlay').isHidden()).toBe(true);

  await alice.page.evaluate((data) => {
    const file = new File([new Uint8Array(data)], 'pasted.gif', { type: 'image/gif' });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    document
      .getElementById('text')
      ?.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
      );
  }, bytes);
  await bob.page.waitForFunction(
    (n) => document.querySelectorAll('#messages .gif-box').length === n + 2,
    before,
  );
});

test('a file that is too big or not a GIF is refused before upload, with a clear message', async () => {
  let uploads = 0;
  alice.page.on('request', (req) => {
    if (req.url().endsWith('/gif') && req.method() === 'POST') uploads++;
  });
  const big = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(5 * 1024 * 1024)]);
  await alice.page.setInputFiles('#gif-input', {
    name: 'huge.gif',
    mimeType: 'image/gif',
    buffer: big,
  });
  await alice.page.locator('#composer-error', { hasText: '5 MB' }).waitFor();
  expect(await alice.page.textContent('#composer-error-text')).toContain('huge.gif');

  await alice.page.click('#composer-error-close');
  await alice.page.setInputFiles('#gif-input', {
    name: 'cat.gif',
    mimeType: 'image/gif',
    buffer: Buffer.from('\x89PNG\r\n\x1a\n0000'),
  });
  await alice.page.locator('#composer-error', { hasText: 'not a GIF' }).waitFor();
  expect(uploads).toBe(0);
});

test('a refusal from the server (413, 415) is shown clearly and the bar goes away', async () => {
  const { page } = alice;
  for (const [status, message, shown] of [
    [413, 'GIFs can be at most 5 MB', 'GIFs can be at most 5 MB'],
    [415, 'only GIF images are accepted', 'only GIF images are accepted'],
  ] as const) {
    await page.route('**/gif', (route) =>
      route.fulfill({
        status,
        contentType: 'application/json',
        body: JSON.stringify({ ok: false, error: { code: 'x', message } }),
      }),
    );
    const gif = bouncingBall();
    await page.setInputFiles('#gif-input', { name: 'ok.gif', mimeType: 'image/gif', buffer: gif });
    await page.locator('#composer-error', { hasText: shown }).waitFor();
    expect(await page.isHidden('#upload')).toBe(true);
    await page.unroute('**/gif');
    await page.click('#composer-error-close');
  }
  // The browser logs the refused requests themselves; nothing else went wrong.
  const refused = alice.problems.filter((p) => /status of 41[35]/.test(p));
  expect(refused).toHaveLength(2);
  alice.problems.splice(
    0,
    alice.problems.length,
    ...unexpected(alice.problems, [/status of 41[35]/]),
  );
});

test('a nickname shows on new messages and in the list', async () => {
  await bob.page.fill('#nick', '  Bobby  ');
  await bob.page.click('#nick-form button[type=submit]');
  await bob.page.locator('#nick-status', { hasText: 'Bobby' }).waitFor();
  await say(bob.page, 'call me Bobby');
  const last = alice.page.locator('#messages .msg', { hasText: 'call me Bobby' });
  await last.waitFor();
  await alice.page.locator('#people .chip-name', { hasText: 'Bobby' }).waitFor();
  expect(
    await alice.page
      .locator('#messages .msg', { hasText: 'call me Bobby' })
      .locator('.chip-name')
      .textContent(),
  ).toBe('Bobby');
  // Header grouping: a new name starts a new group even right after older messages.
  expect(await last.evaluate((el) => el.classList.contains('cont'))).toBe(false);
});

test('typing shows for the other person and clears on send', async () => {
  await bob.page.locator('#text').pressSequentially('thinking', { delay: 20 });
  await alice.page.locator('#typing', { hasText: 'Bobby is typing' }).waitFor();
  await bob.page.press('#text', 'Enter');
  await alice.page.waitForFunction(() => document.getElementById('typing')?.textContent === '');
});

test('a whisper reaches only its recipient and is marked as one', async () => {
  const carol = await open(browser);
  await enter(carol.page, harness.url, room);
  const alicePid = await myPid(alice.page);
  await bob.page
    .locator(`#people .person[data-pid="${alicePid}"] button[data-action="whisper"]`)
    .click();
  expect(await bob.page.isVisible('#whisper-chip')).toBe(true);
  await bob.page.fill('#text', 'psst, only for alice');
  await bob.page.press('#text', 'Enter');
  await bob.page.locator('.msg.whisper.mine', { hasText: 'psst' }).waitFor();
  await alice.page.locator('.msg.whisper', { hasText: 'psst' }).waitFor();
  expect(await alice.page.locator('.msg.whisper .whisper-tag').last().textContent()).toBe(
    'Whisper to you',
  );
  // Carol sees a later public message but never the whisper.
  await say(alice.page, 'back to everyone');
  await carol.page.locator('.msg-text', { hasText: 'back to everyone' }).waitFor();
  expect(await carol.page.locator('.msg', { hasText: 'psst' }).count()).toBe(0);
  // Escape leaves whisper mode.
  await bob.page.press('#text', 'Escape');
  expect(await bob.page.isHidden('#whisper-chip')).toBe(true);
  expect(unexpected(carol.problems)).toEqual([]);
  await carol.context.close();
});

test('the owner hands ownership over, and the new owner removes someone', async () => {
  const dave = await open(browser);
  await enter(dave.page, harness.url, room);
  const [bobPid, davePid] = await Promise.all([myPid(bob.page), myPid(dave.page)]);
  // Only the owner has the tools.
  expect(await bob.page.locator('#people button[data-action="kick"]').count()).toBe(0);
  await alice.page
    .locator(`#people .person[data-pid="${bobPid}"] button[data-action="handover"]`)
    .click();
  await alice.page.click('#confirm-ok');
  await bob.page.locator(`#people .person[data-pid="${bobPid}"] .owner-badge`).waitFor();
  await bob.page.locator('#owner-tools').waitFor({ state: 'visible' });
  await alice.page.locator('#owner-tools').waitFor({ state: 'hidden' });

  await bob.page
    .locator(`#people .person[data-pid="${davePid}"] button[data-action="kick"]`)
    .click();
  await bob.page.click('#confirm-ok');
  await dave.page.locator('#notice-dialog[open]').waitFor();
  expect(await dave.page.textContent('#notice-title')).toBe('You were removed from this room');
  expect(await dave.page.isDisabled('#text')).toBe(true);
  await alice.page.waitForFunction(
    (pid) => !document.querySelector(`#people .person[data-pid="${pid}"]`),
    davePid,
  );
  // They cannot come back: the lobby says why.
  await dave.page.goto(`${harness.url}/room/${room}`);
  await dave.page.waitForURL(`${harness.url}/`);
  expect(await dave.page.textContent('#flash')).toContain('removed');
  expect(unexpected(dave.problems)).toEqual([]);
  await dave.context.close();
});
