/// <reference lib="dom" />
import { execFile } from 'node:child_process';
import { open as openFile, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { TranscodeJob } from '../../src/media/transcode';
import { makeGif, tempDir } from '../media/fixtures';
import { startHarness, type Harness, type Visitor } from '../support/harness';
import { launch, open, setVisibility, type WatchedPage } from './support/browser';
import { enter, unexpected } from './support/chat';

let harness: Harness;
let browser: Browser;
let fixtures: Awaited<ReturnType<typeof tempDir>>;
let animated: Buffer;
let another: Buffer;
let owner: Visitor;
let room: string;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  fixtures = await tempDir('browser');
  animated = await readFile(await makeGif(fixtures.file('a.gif'), { size: '200x100', seconds: 2 }));
  another = await readFile(await makeGif(fixtures.file('t.gif'), { size: '150x120', seconds: 1 }));
  // One ffmpeg at a time, and one upload may wait: a held slot makes "processing…" last.
  [harness, browser] = await Promise.all([
    startHarness({ MEDIA_CONCURRENCY: 1, MEDIA_QUEUE: 1 }),
    launch(),
  ]);
  owner = await harness.visitor();
  room = await owner.createRoom({ title: 'videos' });
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await fixtures?.remove();
});

afterEach(() => {
  for (const p of pages) expect(unexpected(p.problems)).toEqual([]);
});

/** Holds the one ffmpeg slot with a child reading a FIFO, until `free()`. */
async function holdTranscoder(): Promise<{ free: () => Promise<void> }> {
  const fifo = fixtures.file(`hold-${Date.now()}.gif`);
  await promisify(execFile)('mkfifo', [fifo]);
  const job: TranscodeJob = harness.transcoder.video(fifo, `${fifo}.mp4`);
  return {
    free: async () => {
      await (await openFile(fifo, 'w')).close();
      await job.done;
    },
  };
}

const videoOf = (page: Page) => page.locator('.gif-box.sized video.gif-video').last();
const paused = (page: Page) => videoOf(page).evaluate((v: HTMLVideoElement) => v.paused);
const untilPlaying = (page: Page, playing: boolean) =>
  videoOf(page).evaluate(
    (v: HTMLVideoElement, want) =>
      new Promise<void>((resolve) => {
        const check = () => (!v.paused === want ? resolve() : requestAnimationFrame(check));
        check();
      }),
    playing,
  );

test('an upload shows at once as its GIF in a box of its shape, then turns into the playing video in place', async () => {
  const watched = await open(browser);
  pages.push(watched);
  const { page } = watched;
  await enter(page, harness.url, room);
  // The transcoder is held: the upload is answered once checked, before its video exists.
  const held = await holdTranscoder();
  await page.setInputFiles('#gif-input', {
    name: 'wide_cat.gif',
    mimeType: 'image/gif',
    buffer: animated,
  });
  await page.locator('#upload').waitFor({ state: 'hidden' });
  const gifBox = page.locator('.msg[data-seq] .gif-box.sized[data-state="playing"]').last();
  await gifBox.locator('img.gif-anim').waitFor();
  expect(await gifBox.locator('video').count()).toBe(0);
  const before = await gifBox.boundingBox();
  // The box has the GIF's shape already (2:1).
  expect(Math.round((before!.width / before!.height) * 10) / 10).toBe(2);
  await held.free();
  await videoOf(page).waitFor();

  const box = page.locator('.gif-box.sized').last();
  const video = videoOf(page);
  expect(await video.getAttribute('poster')).toMatch(/^\/gif\/[0-9a-f]{32}\.webp$/);
  const props = await video.evaluate((v: HTMLVideoElement) => ({
    muted: v.muted,
    loop: v.loop,
    playsInline: v.playsInline,
    width: v.width,
    height: v.height,
  }));
  expect(props).toEqual({ muted: true, loop: true, playsInline: true, width: 200, height: 100 });
  // The same box, the same size: nothing moved.
  expect(await box.boundingBox()).toEqual(before);
  await untilPlaying(page, true);
  expect(await video.evaluate((v: HTMLVideoElement) => v.currentSrc)).toMatch(/\.mp4$/);
  const original = page.locator('.msg').last().locator('a.gif-original');
  expect(await original.getAttribute('href')).toMatch(/^\/gif\/[0-9a-f]{32}\.gif$/);

  // A hidden tab plays nothing.
  await setVisibility(page, 'hidden');
  await untilPlaying(page, false);
  await setVisibility(page, 'visible');
  await untilPlaying(page, true);
});

test('under reduced motion the poster stays until clicked; history renders the same box', async () => {
  const watched = await open(browser, { reducedMotion: 'reduce' });
  pages.push(watched);
  const { page } = watched;
  await enter(page, harness.url, room);
  const box = page.locator('.gif-box.sized').last();
  await box.locator('video').waitFor();
  expect(await box.getAttribute('data-state')).toBe('paused');
  expect(await paused(page)).toBe(true);
  // Nothing but the poster was fetched.
  expect(await videoOf(page).evaluate((v: HTMLVideoElement) => v.currentSrc)).toBe('');
  await box.locator('button').click();
  await untilPlaying(page, true);
  await box.locator('button').click();
  await untilPlaying(page, false);
});

test('the picker, by keyboard alone, sends a GIF again', async () => {
  const watched = await open(browser);
  pages.push(watched);
  const { page } = watched;
  await enter(page, harness.url, room);
  const before = await page.locator('.gif-box').count();

  await page.focus('#picker-button');
  await page.keyboard.press('Enter');
  await page.locator('#picker').waitFor({ state: 'visible' });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('picker-search');
  // Escape closes it and gives focus back.
  await page.keyboard.press('Escape');
  await page.locator('#picker').waitFor({ state: 'hidden' });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('picker-button');
  expect(await page.getAttribute('#picker-button', 'aria-expanded')).toBe('false');

  await page.keyboard.press('Enter');
  // This visitor sent nothing yet: Recent is empty; Popular here has the upload.
  await page.locator('#picker-status', { hasText: 'GIFs you send show up here' }).waitFor();
  await page.keyboard.press('Shift+Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('picker-tab-recent');
  await page.keyboard.press('ArrowRight');
  expect(await page.getAttribute('#picker-tab-popular', 'aria-selected')).toBe('true');
  await page.locator('#picker-results [role="option"]').first().waitFor();
  await page.focus('#picker-search');
  await page.keyboard.type('wide');
  await page.locator('#picker-results [role="option"][aria-label^="Send wide cat"]').waitFor();
  await page.keyboard.press('ArrowDown');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('option');
  await page.keyboard.press('Enter');

  await page.locator('.msg.mine[data-seq] .gif-box.sized').waitFor();
  expect(await page.locator('.gif-box').count()).toBe(before + 1);
  await page.locator('#picker').waitFor({ state: 'hidden' });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('text');
  const sent = harness.events.chat?.at(-1)?.[1];
  expect(sent).toMatchObject({ gifName: 'wide cat', video: expect.stringMatching(/\.mp4$/) });
});

test('under reduced motion the GIF waits as a still frame, and its video stays paused on its poster', async () => {
  const watched = await open(browser, { reducedMotion: 'reduce' });
  pages.push(watched);
  const { page } = watched;
  await enter(page, harness.url, room);
  const held = await holdTranscoder();
  await page.setInputFiles('#gif-input', {
    name: 'another.gif',
    mimeType: 'image/gif',
    buffer: another,
  });
  await page.locator('#upload').waitFor({ state: 'hidden' });
  // The GIF player, paused on its first frame: nothing animates before the video either.
  const box = page.locator('.msg[data-seq] .gif-box.sized').last();
  await page
    .locator('.msg[data-seq] .gif-box.sized[data-state="paused"] canvas.gif-still')
    .last()
    .waitFor();
  expect(await box.locator('img.gif-anim').count()).toBe(0);
  const before = await box.boundingBox();
  expect(Math.round((before!.width / before!.height) * 100) / 100).toBe(1.25);
  await held.free();
  await box.locator('video.gif-video').waitFor();
  expect(await box.getAttribute('data-state')).toBe('paused');
  expect(await box.locator('video').evaluate((v: HTMLVideoElement) => v.paused)).toBe(true);
  expect(await box.locator('video').evaluate((v: HTMLVideoElement) => v.currentSrc)).toBe('');
  expect(await box.boundingBox()).toEqual(before);
});
