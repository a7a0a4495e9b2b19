import { readFile } from 'node:fs/promises';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import type { PickerItem } from '../../src/services/gif-index';
import { craftGif, makeGif, tempDir } from '../media/fixtures';
import {
  ask,
  startHarness,
  withMedia,
  type ChatMessage,
  type Harness,
  type Visitor,
} from '../support/harness';

let h: Harness;
let fixtures: Awaited<ReturnType<typeof tempDir>>;
let animated: Buffer;
beforeAll(async () => {
  fixtures = await tempDir('picker');
  animated = await readFile(await makeGif(fixtures.file('a.gif'), { size: '96x64', seconds: 1 }));
  h = await startHarness({ MESSAGES_PER_10S: 12 });
});
afterAll(async () => {
  await h.close();
  await fixtures.remove();
});

const upload = (v: Visitor, room: string, body: Buffer, name: string) =>
  v.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', v.csrf)
    .attach('gif', body, { filename: name, contentType: 'image/gif' });
const resend = (v: Visitor, room: string, gif: string, cid?: string) =>
  v.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', v.csrf)
    .send({ gif, ...(cid && { cid }) });
const picker = async (v: Visitor, query: string) => {
  const res = await v.agent.get(`/gifs?${query}`);
  return { status: res.status, items: (res.body.items ?? []) as PickerItem[], body: res.body };
};
const names = (items: PickerItem[]) => items.map((i) => i.gifName);
const enter = (v: Visitor, room: string, password?: string) =>
  password
    ? v.agent
        .post(`/room/${room}/password`)
        .set('x-csrf-token', v.csrf)
        .type('form')
        .send({ password })
        .expect(303)
    : v.agent.get(`/room/${room}`).expect(200);

let alice: Visitor;
let bob: Visitor;
let carol: Visitor;
let lounge: string;
let secret: string;
let cat: ChatMessage;
let dog: ChatMessage;
let hidden: ChatMessage;
beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([h.visitor(), h.visitor(), h.visitor()]);
  lounge = await alice.createRoom({ title: 'lounge' });
  await enter(bob, lounge);
  secret = await carol.createRoom({ title: 'secret', password: 'hunter22' });
  // Each as it is once its poster (and video) are made, after the answer.
  cat = await withMedia(
    h,
    (await upload(alice, lounge, animated, 'happy_cat.gif').expect(201)).body,
  );
  dog = await withMedia(
    h,
    (await upload(alice, lounge, craftGif(5, 4, 2), 'Sad Dog.gif').expect(201)).body,
  );
  hidden = await withMedia(
    h,
    (await upload(carol, secret, craftGif(6, 6, 2), 'our cat secret.gif').expect(201)).body,
  );
});

const fileOf = (m: ChatMessage) => m.gif!.slice('/gif/'.length);

test('Recent lists my own GIFs, newest first, with what a player needs', async () => {
  const mine = await picker(alice, 'tab=recent');
  expect(mine.status).toBe(200);
  expect(names(mine.items)).toEqual(['Sad Dog', 'happy cat']);
  expect(mine.items[1]).toMatchObject({
    name: fileOf(cat),
    gif: cat.gif,
    video: cat.video,
    poster: cat.poster,
    width: 96,
    height: 64,
  });
  expect((await picker(bob, 'tab=recent')).items).toEqual([]);
});

test('a GIF is sent again over HTTP without uploading, once per client id', async () => {
  const first = await resend(bob, lounge, fileOf(cat), 'resend-http-1');
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({
    gif: cat.gif,
    video: cat.video,
    width: 96,
    gifName: 'happy cat',
  });
  expect(first.body.pid).not.toBe(cat.pid);
  const again = await resend(bob, lounge, cat.gif!, 'resend-http-1');
  expect(again.status).toBe(201);
  expect(again.body._id).toBe(first.body._id);
  expect(h.events.chat?.filter(([, m]) => m._id === first.body._id)).toHaveLength(1);
  expect(names((await picker(bob, 'tab=recent')).items)).toEqual(['happy cat']);
});

test('over the socket too (`gif` { name, cid }), idempotent by cid', async () => {
  const socket: Socket = await bob.socket();
  expect((await ask(socket, 'join', { room: lounge, after: 0 })).ok).toBe(true);
  const reply = await ask<ChatMessage>(socket, 'gif', { name: fileOf(cat), cid: 'resend-sock-1' });
  expect(reply.ok).toBe(true);
  expect(reply.data).toMatchObject({ gif: cat.gif, poster: cat.poster, room: lounge });
  const repeat = await ask<ChatMessage>(socket, 'gif', { name: fileOf(cat), cid: 'resend-sock-1' });
  expect(repeat.data?._id).toBe(reply.data?._id);
  expect(h.events.chat?.filter(([, m]) => m._id === reply.data?._id)).toHaveLength(1);
  const bad = await ask(socket, 'gif', { name: '../../etc/passwd', cid: 'resend-sock-2' });
  expect(bad).toMatchObject({ ok: false, error: { code: 'field_invalid' } });
  socket.disconnect();
});

test('Popular counts sends in public rooms, most sent first, and search finds by name', async () => {
  const popular = await picker(carol, 'tab=popular');
  expect(popular.items.map((i) => [i.gifName, i.count])).toEqual([
    ['happy cat', 3],
    ['Sad Dog', 1],
  ]);
  expect(names((await picker(carol, 'tab=popular&q=CAT')).items)).toEqual(['happy cat']);
  expect(names((await picker(alice, 'tab=recent&q=dog')).items)).toEqual(['Sad Dog']);
  expect((await picker(alice, 'tab=popular&q=zebra')).items).toEqual([]);
});

test("a secret room's GIFs are listed and sent again only by the people who could see them", async () => {
  // Alice never entered the secret room: not in her Popular, and she cannot send it by name.
  expect(names((await picker(alice, 'tab=popular&q=cat')).items)).toEqual(['happy cat']);
  const refused = await resend(alice, lounge, fileOf(hidden), 'steal-001');
  expect(refused.status).toBe(404);
  expect(refused.body.error.code).toBe('gif_not_found');
  expect((await picker(alice, `tab=popular&room=${secret}`)).status).toBe(403);
  // Carol, inside it, sees it there, and may send her own GIF anywhere she is.
  const inside = await picker(carol, `tab=popular&room=${secret}&q=secret`);
  expect(names(inside.items)).toEqual(['our cat secret']);
  await enter(carol, lounge);
  expect((await resend(carol, lounge, fileOf(hidden), 'mine-0001')).status).toBe(201);
  // Now sent in a public room, anyone may send it again.
  expect((await resend(alice, lounge, fileOf(hidden), 'steal-002')).status).toBe(201);
});

test('unknown, malformed or removed GIFs are refused; the picker checks its query', async () => {
  expect((await resend(alice, lounge, 'f'.repeat(32))).status).toBe(404);
  expect((await resend(alice, lounge, '../x.gif')).status).toBe(400);
  expect((await picker(alice, 'tab=everything')).status).toBe(400);
  expect((await picker(alice, `q=${'x'.repeat(81)}`)).status).toBe(400);
  const stranger = await h.visitor();
  expect((await resend(stranger, lounge, fileOf(cat))).status).toBe(403);
  await h.media.remove(fileOf(dog));
  expect((await resend(alice, lounge, fileOf(dog))).status).toBe(404);
});

test('re-sends spend the message budget', async () => {
  const dave = await h.visitor();
  await enter(dave, lounge);
  const statuses: number[] = [];
  for (let i = 0; i < 13; i++) statuses.push((await resend(dave, lounge, fileOf(cat))).status);
  expect(statuses.slice(0, 12)).toEqual(Array(12).fill(201));
  expect(statuses[12]).toBe(429);
});

test('asking for the list without a session makes none: Recent is empty, Popular is public', async () => {
  const res = await request(h.app).get('/gifs?tab=popular');
  expect(res.status).toBe(200);
  expect(names(res.body.items as PickerItem[])).toContain('happy cat');
  expect(res.headers['set-cookie']).toBeUndefined();
  const recent = await request(h.app).get('/gifs?tab=recent');
  expect(recent.body.items).toEqual([]);
});

test('the picker is for searching, not scraping: 60 lists a minute per person', async () => {
  const eve = await h.visitor();
  const statuses: number[] = [];
  for (let i = 0; i < 61; i++) statuses.push((await picker(eve, `tab=popular&q=${i}`)).status);
  expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
  expect(statuses[60]).toBe(429);
});
