import { get, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import mongoose from 'mongoose';
import request from 'supertest';
import { LOBBY_PAGE } from '../../src/services/lobby';
import { flashOf, member, startHarness, type Harness, type Visitor } from '../support/harness';

let h: Harness;
let owner: Visitor;
beforeAll(async () => {
  // No sweep during the test: the commands counted below are the pages' own.
  h = await startHarness({ SWEEP_INTERVAL_MS: 3_600_000 });
  owner = await h.visitor();
  for (let i = 0; i < 60; i++)
    await owner.createRoom({
      title: i % 3 ? `Room ${i}` : `Cats and Dogs ${i}`,
      max: i % 5 ? 10 : 2,
    });
});
afterAll(() => h.close());

/** Cards listed (the page's <template> holds one more, for its script). */
const cards = (html: string) =>
  html.split('<template')[0]!.match(/<li class="room-card/g)?.length ?? 0;

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes as they came over the wire. */
  body: Buffer;
}
/** A page as a browser gets it (supertest would undo the compression before we see it). */
const lobby = (query = '', encoding = 'gzip') => raw(`/${query}`, encoding);
function raw(path: string, encoding: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    get(`${h.url}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    }).on('error', reject);
  });
}
const text = (res: Raw) => {
  const encoding = res.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(res.body).toString();
  if (encoding === 'gzip') return gunzipSync(res.body).toString();
  return res.body.toString();
};

test('the first page is bounded, under 1 KB of HTML per room, and compressed', async () => {
  const gz = await lobby('', 'gzip');
  expect(gz.headers['content-encoding']).toBe('gzip');
  const br = await lobby('', 'br, gzip');
  expect(br.headers['content-encoding']).toBe('br');
  const html = text(br);
  expect(text(gz)).toBe(html);
  expect(cards(html)).toBe(LOBBY_PAGE);
  // What the cards add to a page without them, per card.
  const none = text(await lobby('?q=no-such-room-anywhere'));
  expect(cards(none)).toBe(0);
  const perRoom = (Buffer.byteLength(html) - Buffer.byteLength(none)) / LOBBY_PAGE;
  expect(perRoom).toBeLessThan(1024);
  expect(br.body.length).toBeLessThan(Buffer.byteLength(html) / 4);
});

test('styles and scripts are served compressed too', async () => {
  const page = text(await lobby());
  const css = /href="([^"]+\.css)"/.exec(page)![1]!;
  const js = /src="([^"]+lobby\.js)"/.exec(page)![1]!;
  for (const url of [css, js]) {
    const res = await raw(url, 'br');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
  }
});

test('search, order, hiding full rooms and pages', async () => {
  const cats = text(await lobby('?q=cats%20AND'));
  expect(cards(cats)).toBe(20);
  expect(cats).not.toMatch(/>Room \d+</);
  const second = text(await lobby('?page=3'));
  expect(cards(second)).toBe(60 - 2 * LOBBY_PAGE);
  expect(second).toContain('rel="prev"');
  expect(second).not.toContain('rel="next"');
  // Rooms of two with their owner and one guest are full.
  const full = await h.visitor();
  const smallRooms = h.rooms.list().filter((r) => r.max === 2);
  for (const r of smallRooms.slice(0, 3)) await full.agent.get(`/room/${r._id}`).expect(200);
  const byPeople = text(await lobby('?sort=people'));
  const firstIds = [...byPeople.matchAll(/data-id="([0-9a-f]{24})"/g)].slice(0, 3).map((m) => m[1]);
  expect(firstIds.sort()).toEqual(
    smallRooms
      .slice(0, 3)
      .map((r) => r._id)
      .sort(),
  );
  const hidden = text(await lobby('?full=hide&q=Cats'));
  for (const r of smallRooms.slice(0, 3)) expect(hidden).not.toContain(r._id);
  // Nonsense in the query is the default view, never an error.
  const odd = await lobby('?sort[]=x&page=-4&full=maybe&q=' + 'x'.repeat(500));
  expect(odd.status).toBe(200);
});

test('a new room shows at once, although the lobby is rendered once per change', async () => {
  const before = text(await lobby('?q=brand%20new'));
  expect(cards(before)).toBe(0);
  await owner.createRoom({ title: 'Brand new' });
  expect(cards(text(await lobby('?q=brand%20new')))).toBe(1);
});

test('looking at the lobby writes nothing, and a known visitor costs no query', async () => {
  const commands: string[] = [];
  const client = mongoose.connection.getClient();
  const watch = (e: { commandName: string; command: Record<string, unknown> }) =>
    commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  client.on('commandStarted', watch);
  try {
    for (let i = 0; i < 20; i++) await request(h.server).get('/').expect(200);
    for (let i = 0; i < 20; i++) await owner.agent.get('/').expect(200);
  } finally {
    client.off('commandStarted', watch);
  }
  const writes = commands.filter((c) => /insert|update|delete|findAndModify/i.test(c));
  expect(writes).toEqual([]);
  // The owner's session was read once (when it was made) and is kept in memory since.
  expect(commands.filter((c) => c === 'find sessions')).toEqual([]);
});

test("the lobby, rendered once for everyone, never carries one visitor's CSRF token", async () => {
  // The owner is the first to ask for this view: the page made for them is the one kept.
  const mine = await owner.agent.get('/?q=token%20check').expect(200);
  expect(mine.text).not.toContain(owner.csrf);
  const other = await request(h.server).get('/?q=token%20check').expect(200);
  expect(other.text).not.toContain(owner.csrf);
});

test('a returning visitor gets the shared page, and a notice left for them on it, once', async () => {
  const v = await h.visitor();
  // Known and unchanged: the page everyone gets (no token in it: forms fetch their own page).
  const plain = await v.agent.get('/').expect(200);
  expect(flashOf(plain.text)).toBeNull();
  expect(cards(plain.text)).toBeGreaterThan(0);
  // A refusal leaves a notice in their session, for the lobby they are sent to.
  await v.agent.get('/room/0123456789abcdef01234567').expect(303).expect('location', '/');
  expect(flashOf((await v.agent.get('/').expect(200)).text)).toMatch(/room not found/);
  // Shown once: the next page is the shared one again.
  const after = await v.agent.get('/').expect(200);
  expect(flashOf(after.text)).toBeNull();
  expect(after.text).toBe(plain.text);
  // Their session still works for what changes something: the token they were given is accepted.
  await v.createRoom({ title: 'still me' });
});

test('a forged session cookie gets the shared page, and no notice of anyone', async () => {
  const v = await h.visitor();
  await v.agent.get('/room/0123456789abcdef01234567').expect(303);
  // The visitor's own session id under a signature that is not the server's.
  const signed = decodeURIComponent(/gifchat\.sid=([^;]+)/.exec(v.cookie)?.[1] ?? '');
  const forged = `${signed.slice(0, signed.lastIndexOf('.'))}.${'A'.repeat(43)}`;
  const res = await request(h.server)
    .get('/')
    .set('cookie', `gifchat.sid=${encodeURIComponent(forged)}`)
    .expect(200);
  expect(flashOf(res.text)).toBeNull();
  expect(res.headers['set-cookie']).toBeUndefined();
  // The notice is still theirs.
  expect(flashOf((await v.agent.get('/').expect(200)).text)).toMatch(/room not found/);
});

test('the shared page is revalidated by its ETag: 304 until a room changes', async () => {
  const first = await lobby('', 'br');
  const etag = first.headers.etag!;
  expect(etag).toMatch(/^"[0-9a-f]+-[\w-]+"$/);
  const again = await conditional('/', 'br', etag);
  expect(again.status).toBe(304);
  expect(again.body.length).toBe(0);
  // Each encoding is its own bytes, so its own tag.
  expect((await lobby('', 'gzip')).headers.etag).not.toBe(etag);
  await owner.createRoom({ title: 'Changes the page' });
  const changed = await conditional('/', 'br', etag);
  expect(changed.status).toBe(200);
  expect(changed.headers.etag).not.toBe(etag);
});

function conditional(path: string, encoding: string, etag: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    get(
      `${h.url}${path}`,
      { headers: { 'accept-encoding': encoding, 'if-none-match': etag } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    ).on('error', reject);
  });
}

test('lists in JSON go compressed, the answer to a message sent in JSON does not', async () => {
  const room = await owner.createRoom({ title: 'Compressed history' });
  await member(h, room, owner);
  for (let i = 0; i < 12; i++) {
    const sent = await owner.agent
      .post(`/room/${room}/chat`)
      .set('x-csrf-token', owner.csrf)
      .set('accept-encoding', 'gzip, br')
      .send({ chat: `message ${i} `.repeat(100).slice(0, 1000) });
    expect(sent.status).toBe(201);
    // Over a kilobyte here, but an answer to a POST is looked at once: compressing it (or
    // wrapping it to see whether to) costs more than it saves.
    expect(Number(sent.headers['content-length'])).toBeGreaterThan(1024);
    expect(sent.headers['content-encoding']).toBeUndefined();
  }
  const history = await owner.agent
    .get(`/room/${room}/chats`)
    .set('accept', 'application/json')
    .set('accept-encoding', 'gzip');
  expect(history.status).toBe(200);
  expect(history.headers['content-encoding']).toBe('gzip');
  expect(JSON.stringify(history.body)).toContain('message 11');
});
