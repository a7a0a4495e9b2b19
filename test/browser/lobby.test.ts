/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { launch, open, type WatchedPage } from './support/browser';
import { createRoom, joined, unexpected } from './support/chat';

let harness: Harness;
let browser: Browser;
let lobby: WatchedPage;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launch()]);
  lobby = await open(browser);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

const card = (id: string) => lobby.page.locator(`.room-card[data-id="${id}"]`);

test('an empty lobby says so and offers to create a room', async () => {
  await lobby.page.goto(harness.url);
  await lobby.page.waitForSelector('body.is-live');
  expect(await lobby.page.isVisible('#empty')).toBe(true);
  expect(await lobby.page.textContent('#empty h2')).toBe('No rooms yet');
  expect(await lobby.page.getAttribute('#empty a', 'href')).toBe('/room');
});

test('the list is live: new rooms, people counts and removals arrive without reloading', async () => {
  const creator = await harness.visitor();
  const id = await creator.createRoom({ title: 'Live <b>room</b>', max: 4, password: 'hunter2' });
  await card(id).waitFor();
  expect(await lobby.page.isHidden('#empty')).toBe(true);
  expect(await card(id).locator('.room-link').textContent()).toBe('Live <b>room</b>');
  expect(await card(id).locator('.badge-secret').isVisible()).toBe(true);
  expect(await card(id).locator('.badge-public').isHidden()).toBe(true);
  expect(await card(id).locator('.count').textContent()).toBe('1');
  expect(await card(id).locator('.people-label').textContent()).toBe('1 of 4 people');

  const other = await harness.visitor();
  const publicId = await other.createRoom({ title: 'Open to all', max: 2 });
  await card(publicId).waitFor();
  expect(await card(publicId).locator('.badge-public').isVisible()).toBe(true);
  // Newest first.
  expect(await lobby.page.locator('.room-card').first().getAttribute('data-id')).toBe(publicId);

  // Someone else takes the second seat: the count follows and the room shows as full.
  const guest = await harness.visitor();
  await guest.agent.get(`/room/${publicId}`).expect(200);
  await lobby.page.waitForFunction(
    (rid) => document.querySelector(`.room-card[data-id="${rid}"] .count`)?.textContent === '2',
    publicId,
  );
  expect(await card(publicId).locator('.badge-full').isVisible()).toBe(true);

  await other.agent.delete(`/room/${publicId}`).set('x-csrf-token', other.csrf).expect(200);
  await card(publicId).waitFor({ state: 'detached' });
  expect(unexpected(lobby.problems)).toEqual([]);
});

test('a secret room asks for its password, says when it is wrong, and lets the right one in', async () => {
  const owner = await harness.visitor();
  const id = await owner.createRoom({ title: 'Hideout', password: 'open sesame' });
  const { page, problems, context } = await open(browser);
  await page.goto(`${harness.url}/room/${id}`);
  expect(await page.textContent('h1')).toBe('This room is secret');
  expect(await page.textContent('.form-card')).toContain('Hideout');
  await page.fill('#password', 'wrong');
  await page.click('form.form button[type=submit]');
  await page.locator('#password-error', { hasText: 'wrong password' }).waitFor();
  expect(await page.getAttribute('#password', 'aria-invalid')).toBe('true');
  expect(page.url()).not.toContain('open');

  await page.goto(`${harness.url}/room/${id}`);
  await page.fill('#password', 'open sesame');
  await page.click('form.form button[type=submit]');
  await joined(page);
  expect(await page.textContent('h1')).toBe('Hideout');
  expect(page.url()).not.toContain('sesame');
  // The one console error is the browser reporting the 403 page of the wrong attempt.
  expect(unexpected(problems, [/status of 403/])).toEqual([]);
  expect(problems.filter((p) => /status of 403/.test(p))).toHaveLength(1);
  await context.close();
});

test('a full room refuses, and the lobby notice can be dismissed', async () => {
  const owner = await harness.visitor();
  const id = await owner.createRoom({ title: 'Tiny', max: 2 });
  const second = await harness.visitor();
  await second.agent.get(`/room/${id}`).expect(200);

  const { page, problems, context } = await open(browser);
  await page.goto(`${harness.url}/room/${id}`);
  await page.waitForURL(`${harness.url}/`);
  expect(await page.textContent('#flash')).toContain('the room is full');
  expect(await page.getAttribute('#flash', 'role')).toBe('alert');
  await page.click('#flash .notice-close');
  expect(await page.locator('#flash').count()).toBe(0);
  // Shown once: a reload does not bring it back.
  await page.reload();
  expect(await page.locator('#flash').count()).toBe(0);
  expect(unexpected(problems)).toEqual([]);
  await context.close();
});

test('the create form says what is wrong next to each field and keeps what was typed', async () => {
  const { page, problems, context } = await open(browser);
  await page.goto(`${harness.url}/room`);
  await page.fill('#title', '   ');
  await page.fill('#max', '500');
  await page.click('form.form button[type=submit]');
  await page.waitForSelector('#title-error');
  expect(await page.textContent('#title-error')).toContain('give the room a title');
  expect(await page.textContent('#max-error')).toContain('max is at most 100');
  expect(await page.getAttribute('#title', 'aria-describedby')).toContain('title-error');
  expect(await page.getAttribute('#max', 'aria-invalid')).toBe('true');
  expect(await page.inputValue('#max')).toBe('500');
  expect(await page.locator('#password-error').count()).toBe(0);
  // The first field in error has the focus.
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('title');
  expect(unexpected(problems, [/status of 400/])).toEqual([]);
  await context.close();
});

test('creating a room from the form enters it as its owner and the lobby shows it', async () => {
  const { page, problems, context } = await open(browser);
  const id = await createRoom(page, harness.url, { title: 'Made in a browser', max: 3 });
  await card(id).waitFor();
  expect(await page.isVisible('#delete-room')).toBe(true);
  await page.click('#delete-room');
  await page.click('#confirm-ok');
  await page.waitForURL(`${harness.url}/`);
  await card(id).waitFor({ state: 'detached' });
  expect(unexpected(problems)).toEqual([]);
  expect(unexpected(lobby.problems)).toEqual([]);
  await context.close();
});

test('a server about to restart says so in the lobby; once it is back the page is fresh again', async () => {
  const { page, problems, context } = await open(browser);
  await page.goto(harness.url);
  await page.waitForSelector('body.is-live');
  expect(await page.isHidden('#lobby-status')).toBe(true);
  // What a draining process tells its tabs (app.close → Drain.begin → announce).
  harness.io.of('/room').local.emit('restarting', { retryAfter: 5 });
  await page.waitForSelector('#lobby-status:not(:empty)');
  expect(await page.textContent('#lobby-status')).toBe('Server restarting — reconnecting…');
  expect(await page.getAttribute('#lobby-status', 'role')).toBe('status');
  // The connection drops and comes back (the transport closed, not the socket: the client retries):
  // the lobby reloads itself as after any drop, and the notice is gone with the old page.
  const reloaded = page.waitForEvent('load');
  for (const socket of harness.io.of('/room').sockets.values()) socket.conn.close();
  await reloaded;
  await page.waitForSelector('body.is-live');
  expect(await page.isHidden('#lobby-status')).toBe(true);
  expect(unexpected(problems)).toEqual([]);
  await context.close();
});
