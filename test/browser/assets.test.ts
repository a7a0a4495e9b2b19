/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { startHarness, type Harness } from '../support/harness';
import { launch, open } from './support/browser';
import { createRoom, unexpected } from './support/chat';
import { bouncingBall } from './support/gif';

// A small GIF limit, so the page can only know it from the server.
const MAX_GIF_BYTES = 40 * 1024;

let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness({ MAX_GIF_BYTES }), launch()]);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

const VERSIONED = /^\/static\/([0-9a-f]{16})\//;

test('pages load scripts and styles from one versioned prefix, cached for good', async () => {
  const { page, problems, context } = await open(browser);
  const loaded: { path: string; type: string; cache?: string }[] = [];
  page.on('response', (res) => {
    const type = res.request().resourceType();
    if (type === 'script' || type === 'stylesheet')
      loaded.push({
        path: new URL(res.url()).pathname,
        type,
        cache: res.headers()['cache-control'],
      });
  });
  await createRoom(page, harness.url, { title: 'Versions' });

  const paths = loaded.map((r) => r.path);
  expect(paths).toContain('/socket.io/socket.io.esm.min.js');
  const ours = loaded.filter((r) => !r.path.startsWith('/socket.io/'));
  // The whole module graph of the room page, every file under the same version.
  for (const file of ['js/site.js', 'js/chat/main.js', 'js/lib/net.js', 'css/app.css'])
    expect(ours.map((r) => r.path.replace(VERSIONED, ''))).toContain(file);
  const versions = new Set(ours.map((r) => VERSIONED.exec(r.path)?.[1]));
  expect(versions.size).toBe(1);
  expect([...versions][0]).toBeDefined();
  for (const r of ours) expect(r.cache).toBe('public, max-age=31536000, immutable');

  // Modules only, no inline script, nothing hung on window.
  const scripts = await page.evaluate(() =>
    Array.from(document.scripts, (s) => ({ type: s.type, src: s.getAttribute('src') ?? '' })),
  );
  expect(scripts.length).toBeGreaterThan(0);
  for (const s of scripts) {
    expect(s.type).toBe('module');
    expect(s.src).toMatch(VERSIONED);
  }
  expect(await page.evaluate(() => ['gifchat', 'io'].filter((name) => name in window))).toEqual([]);
  expect(unexpected(problems)).toEqual([]);
  await context.close();
});

test("another version's address is still served, to be revalidated; plain paths still work", async () => {
  const page = await request(harness.server).get('/').expect(200);
  const version = VERSIONED.exec(/src="([^"]+site\.js)"/.exec(page.text)?.[1] ?? '')?.[1];
  expect(version).toBeDefined();
  const other = version === '0'.repeat(16) ? '1'.repeat(16) : '0'.repeat(16);

  const stale = await request(harness.server).get(`/static/${other}/js/site.js`).expect(200);
  expect(stale.headers['cache-control']).toBe('public, max-age=0');
  expect(stale.headers['content-type']).toMatch(/javascript/);
  const current = await request(harness.server).get(`/static/${version}/js/site.js`).expect(200);
  expect(current.text).toBe(stale.text);
  await request(harness.server).get('/js/site.js').expect(200);
  await request(harness.server).get(`/static/${version}/js/nothing.js`).expect(404);
});

test('the page is told the server limits, and keeps to them before sending', async () => {
  const { page, problems, context } = await open(browser);
  await createRoom(page, harness.url, { title: 'Limits' });
  const told = await page.evaluate(() =>
    JSON.parse(
      document.querySelector('meta[name="gifchat-config"]')?.getAttribute('content') ?? '',
    ),
  );
  expect(told).toMatchObject({
    maxGifBytes: MAX_GIF_BYTES,
    typingTimeoutMs: harness.config.TYPING_TIMEOUT_MS,
    nick: { min: 1, max: 24 },
    chat: { min: 1, max: 1000 },
    title: { min: 1, max: 60 },
  });
  expect(await page.getAttribute('#text', 'maxlength')).toBe('1000');
  expect(await page.getAttribute('#nick', 'maxlength')).toBe('24');

  let uploads = 0;
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/gif')) uploads++;
  });
  const big = bouncingBall({ padding: 60 * 1024 });
  await page.setInputFiles('#gif-input', { name: 'big.gif', mimeType: 'image/gif', buffer: big });
  await page.locator('#composer-error', { hasText: 'at most 40 kB' }).waitFor();
  expect(await page.textContent('#composer-error-text')).toContain('big.gif');
  expect(uploads).toBe(0);

  // Under the server's limit (though far over none the page could have guessed): sent.
  await page.click('#composer-error-close');
  const small = bouncingBall();
  expect(small.length).toBeLessThan(MAX_GIF_BYTES);
  await page.setInputFiles('#gif-input', {
    name: 'small.gif',
    mimeType: 'image/gif',
    buffer: small,
  });
  await page.locator('.msg.mine .gif-box').waitFor();
  expect(uploads).toBe(1);
  expect(unexpected(problems)).toEqual([]);
  await context.close();
});
