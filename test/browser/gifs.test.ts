/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import {
  startHarness,
  withMedia,
  type ChatMessage,
  type Harness,
  type Visitor,
} from '../support/harness';
import { launch, open, setVisibility, type WatchedPage } from './support/browser';
import { enter, unexpected } from './support/chat';
import { bouncingBall, PALETTE } from './support/gif';

let harness: Harness;
let browser: Browser;
let poster: Visitor;
let room: string;
const pages: WatchedPage[] = [];

/** Uploads a GIF as the poster (over HTTP, as any client would). */
async function postGif(backgrounds = [0, 1, 5, 3]): Promise<string> {
  const res = await poster.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', poster.csrf)
    .attach('gif', bouncingBall({ backgrounds }), {
      filename: 'ball.gif',
      contentType: 'image/gif',
    })
    .expect(201);
  // Its poster (and video, if one is worth it) are made after the answer: once they are, the page
  // shows the message in its final form.
  return (await withMedia(harness, res.body as ChatMessage)).gif!;
}

const box = (page: Page, src: string) => page.locator(`.gif-box[data-src="${src}"]`);
const state = (page: Page, src: string) => box(page, src).getAttribute('data-state');
const waitState = (page: Page, src: string, value: string) =>
  page.locator(`.gif-box[data-src="${src}"][data-state="${value}"]`).waitFor();

/** The colour of one pixel of the still frame, as drawn on the canvas. */
const stillPixel = (page: Page, src: string) =>
  box(page, src).evaluate((el) => {
    // (The box's other canvas, .gif-size, only gives it the GIF's shape.)
    const canvas = el.querySelector('canvas.gif-still') as HTMLCanvasElement;
    return [
      ...(canvas.getContext('2d') as CanvasRenderingContext2D)
        .getImageData(2, 2, 1, 1)
        .data.slice(0, 3),
    ];
  });

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launch()]);
  poster = await harness.visitor();
  room = await poster.createRoom({ title: 'GIF gallery' });
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

afterEach(() => {
  for (const p of pages) expect(unexpected(p.problems)).toEqual([]);
});

test('under reduced motion a GIF shows a still first frame and plays on click', async () => {
  const gif = await postGif();
  const watched = await open(browser, { reducedMotion: 'reduce' });
  pages.push(watched);
  const { page } = watched;
  await enter(page, harness.url, room);
  await waitState(page, gif, 'paused');
  expect(await page.isChecked('#play-click')).toBe(true);
  expect(await page.textContent('#playback-hint')).toContain('reduced motion');
  // Still: the first frame on a canvas, no animated image in the page at all.
  expect(await box(page, gif).locator('img').count()).toBe(0);
  expect(await stillPixel(page, gif)).toEqual([...(PALETTE[0] ?? [])]);
  expect(await box(page, gif).locator('button').getAttribute('aria-label')).toMatch(
    /^Play GIF from /,
  );

  await box(page, gif).locator('button').click();
  await waitState(page, gif, 'playing');
  const img = box(page, gif).locator('img.gif-anim');
  expect(await img.count()).toBe(1);
  expect(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(160);
  expect(await box(page, gif).locator('button').getAttribute('aria-label')).toMatch(
    /^Pause GIF from /,
  );

  // A second click pauses it again; keyboard works the same way.
  await box(page, gif).locator('button').press('Enter');
  await waitState(page, gif, 'paused');
  expect(await box(page, gif).locator('img').count()).toBe(0);
  await watched.context.close();
});

test('GIFs play by default, pause while the tab is hidden and resume when it is back', async () => {
  const gif = await postGif([1, 0]);
  const watched = await open(browser);
  pages.push(watched);
  const { page } = watched;
  await enter(page, harness.url, room);
  await waitState(page, gif, 'playing');
  expect(await page.isChecked('#play-always')).toBe(true);
  await setVisibility(page, 'hidden');
  await waitState(page, gif, 'paused');
  expect(await box(page, gif).locator('img').count()).toBe(0);
  await setVisibility(page, 'visible');
  await waitState(page, gif, 'playing');
  await watched.context.close();
});

test('GIFs scrolled out of view pause, and play again when scrolled back', async () => {
  const gif = await postGif([5, 6]);
  for (let i = 0; i < 25; i++) {
    await poster.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', poster.csrf)
      .send({ chat: `filler ${i}` })
      .expect(201);
  }
  const watched = await open(browser, { viewport: { width: 900, height: 600 } });
  pages.push(watched);
  const { page } = watched;
  await enter(page, harness.url, room);
  // The page opens at the bottom: the GIF is far above and not playing (paused, or not even
  // fetched yet when it lies beyond the look-ahead margin — which depends on line heights).
  await page.locator(`.gif-box[data-src="${gif}"]:not([data-state="playing"])`).waitFor();
  expect(['paused', 'loading']).toContain(await state(page, gif));
  await box(page, gif).scrollIntoViewIfNeeded();
  await waitState(page, gif, 'playing');
  await page.evaluate(() => {
    const s = document.getElementById('scroller') as HTMLElement;
    s.scrollTop = s.scrollHeight;
  });
  await waitState(page, gif, 'paused');
  await watched.context.close();
});

test('the playback setting is per person, remembered, and "on hover" plays while pointed at', async () => {
  const gif = await postGif([3, 7]);
  const watched = await open(browser);
  pages.push(watched);
  const { page } = watched;
  await enter(page, harness.url, room);
  await box(page, gif).scrollIntoViewIfNeeded();
  await waitState(page, gif, 'playing');
  await page.click('label[for="play-hover"]');
  await waitState(page, gif, 'paused');
  await box(page, gif).hover();
  await waitState(page, gif, 'playing');
  await page.mouse.move(1, 1);
  await waitState(page, gif, 'paused');

  await page.reload();
  await page.waitForSelector('body.is-live');
  expect(await page.isChecked('#play-hover')).toBe(true);
  await box(page, gif).scrollIntoViewIfNeeded();
  await waitState(page, gif, 'paused');
  expect(await state(page, gif)).toBe('paused');
  await watched.context.close();
});
