/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { startHarness, type Harness } from '../support/harness';
import { launch, open } from './support/browser';
import { createRoom, enter, unexpected } from './support/chat';

let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launch()]);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

test('a Korean browser gets Korean, rendered by the server (no flash of English)', async () => {
  const { page, problems, context } = await open(browser, { locale: 'ko-KR' });
  const response = await page.goto(harness.url);
  const html = (await response?.text()) ?? '';
  expect(html).toContain('<html lang="ko">');
  expect(html).toContain('열린 방');
  expect(await page.textContent('h1')).toContain('열린 방');
  expect(await page.getAttribute('.languages a[aria-current]', 'lang')).toBe('ko');

  const room = await createRoom(page, harness.url, { title: '한국어 방' });
  expect(await page.getAttribute('#text', 'placeholder')).toBe('메시지를 입력하세요…');
  expect(await page.textContent('#people-heading')).toContain('참여자');
  // Strings built by the scripts are Korean too: the participant list, system lines, times.
  await page.locator('#people .you-tag', { hasText: '나' }).waitFor();
  const guest = await open(browser, { locale: 'ko-KR' });
  await enter(guest.page, harness.url, room);
  await page.locator('.msg.system', { hasText: '님이 들어왔습니다' }).nth(1).waitFor();
  expect(await page.locator('.msg.system time').first().textContent()).toMatch(/오전|오후/);
  expect(unexpected(problems)).toEqual([]);
  expect(unexpected(guest.problems)).toEqual([]);
  await guest.context.close();
  await context.close();
});

test('the language can be switched and the choice is remembered', async () => {
  const { page, problems, context } = await open(browser, { locale: 'ko-KR' });
  await page.goto(harness.url);
  expect(await page.getAttribute('html', 'lang')).toBe('ko');
  await page.click('.languages a[hreflang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  expect(page.url()).toBe(`${harness.url}/`);
  expect(await page.textContent('h1')).toContain('Open rooms');
  // Remembered across pages and visits, although the browser still prefers Korean.
  await page.goto(`${harness.url}/room`);
  expect(await page.textContent('h1')).toBe('Start a room');
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'lang')?.value).toBe('en');
  await page.click('.languages a[hreflang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  expect(page.url()).toBe(`${harness.url}/room`);
  expect(await page.textContent('h1')).toBe('방 만들기');
  expect(unexpected(problems)).toEqual([]);
  await context.close();
});

test('an English browser gets English; server messages are translated for Korean', async () => {
  const { page, context } = await open(browser, { locale: 'en-GB' });
  await page.goto(harness.url);
  expect(await page.getAttribute('html', 'lang')).toBe('en');
  await context.close();

  const korean = await open(browser, { locale: 'ko-KR' });
  await korean.page.goto(`${harness.url}/room/0123456789abcdef01234567`);
  expect(await korean.page.textContent('#flash')).toContain('방을 찾을 수 없어요');
  expect(unexpected(korean.problems)).toEqual([]);
  await korean.context.close();
});

test('the switcher only redirects within the site and ignores unknown languages', async () => {
  const agent = request(harness.server);
  for (const path of [
    '//evil.example/?lang=ko',
    '/\\evil.example/?lang=ko',
    '///evil.example/x?lang=ko',
  ]) {
    const res = await agent.get(path).expect(303);
    expect(res.headers.location).toMatch(/^\/(?![/\\])/);
  }
  const unknown = await agent.get('/room?lang=xx&keep=1').expect(303);
  expect(unknown.headers.location).toBe('/room?keep=1');
  expect(String(unknown.headers['set-cookie'] ?? '')).not.toContain('lang=');
  const chosen = await agent.get('/?lang=ko').expect(303);
  expect(String(chosen.headers['set-cookie'])).toMatch(/lang=ko;.*HttpOnly/);
  const page = await agent
    .get('/')
    .set('cookie', 'lang=ko')
    .set('accept-language', 'en')
    .expect(200);
  expect(page.text).toContain('<html lang="ko">');
});
