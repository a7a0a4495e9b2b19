import { readdir } from 'node:fs/promises';
import { Message } from '../../src/models/message.model';
import { craftGif } from '../media/fixtures';
import { GIF_BYTES, startHarness, type Harness, type Visitor } from '../support/harness';

let h: Harness;
let owner: Visitor;
let room: string;
beforeAll(async () => {
  h = await startHarness({ MAX_GIF_BYTES: 64 * 1024 });
  owner = await h.visitor();
  room = await owner.createRoom({ title: 'gifs' });
});
afterAll(() => h.close());

const upload = (v: Visitor, body: Buffer, name = 'a.gif', type = 'image/gif', id = room) =>
  v.agent
    .post(`/room/${id}/gif`)
    .set('x-csrf-token', v.csrf)
    .attach('gif', body, { filename: name, contentType: type });
const files = () =>
  readdir(h.config.UPLOAD_DIR).then((names) => names.filter((n) => n.endsWith('.gif')));

test('a real GIF is stored under its content name, pushed as chat and served as image/gif', async () => {
  const res = await upload(owner, GIF_BYTES, '../../etc/passwd.gif');
  expect(res.status).toBe(201);
  expect(res.body.gif).toMatch(/^\/gif\/[0-9a-f]{32}\.gif$/);
  expect(h.events.chat?.some(([, m]) => m.gif === res.body.gif)).toBe(true);
  const served = await owner.agent
    .get(res.body.gif)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(served.status).toBe(200);
  expect(served.headers['content-type']).toBe('image/gif');
  expect(served.headers['x-content-type-options']).toBe('nosniff');
  expect(served.headers['cache-control']).toMatch(/max-age=31536000/);
  expect(Buffer.compare(served.body as Buffer, GIF_BYTES)).toBe(0);
});

test.each([
  [
    'a PNG named .gif',
    Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    'x.gif',
    'image/gif',
  ],
  [
    'HTML declared as a GIF',
    Buffer.from('<html><script>alert(1)</script></html>'),
    'x.gif',
    'image/gif',
  ],
  ['a truncated signature', Buffer.from('GIF8'), 'x.gif', 'image/gif'],
  ['GIF88a', Buffer.from('GIF88a-not-a-real-version'), 'x.gif', 'image/gif'],
])('%s is refused with 415 and leaves no file', async (_label, body, name, type) => {
  const before = await files();
  const count = await Message.countDocuments({ room });
  const res = await upload(owner, body, name, type);
  expect(res.status).toBe(415);
  expect(await files()).toEqual(before);
  expect(await Message.countDocuments({ room })).toBe(count);
});

test('refusals racing each other leave no file behind (the refusal waits for the file to close)', async () => {
  const before = await files();
  const tiny = [Buffer.from('GIF8'), Buffer.from('GIF88a'), Buffer.from('<')];
  const results = await Promise.all(
    Array.from({ length: 18 }, (_, i) => upload(owner, tiny[i % tiny.length]!)),
  );
  expect(results.map((r) => r.status)).toEqual(Array(18).fill(415));
  expect(await files()).toEqual(before);
});

test('a real GIF with a misleading name and type is still accepted', async () => {
  const res = await upload(owner, GIF_BYTES, 'photo.png', 'image/png');
  expect(res.status).toBe(201);
});

test('an oversized GIF is refused with 413 and leaves no file', async () => {
  const before = await files();
  const big = Buffer.concat([GIF_BYTES.subarray(0, 6), Buffer.alloc(200 * 1024, 1)]);
  const res = await upload(owner, big);
  expect(res.status).toBe(413);
  expect(await files()).toEqual(before);
});

test('no file, a wrong field, two files or a non-multipart body get 400', async () => {
  const none = await owner.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', owner.csrf)
    .field('other', 'x');
  expect(none.status).toBe(400);
  const wrongField = await owner.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', owner.csrf)
    .attach('file', GIF_BYTES, 'a.gif');
  expect(wrongField.status).toBe(400);
  const two = await owner.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', owner.csrf)
    .attach('gif', GIF_BYTES, 'a.gif')
    .attach('gif', GIF_BYTES, 'b.gif');
  expect(two.status).toBe(400);
  const json = await owner.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', owner.csrf)
    .send({ gif: 'x' });
  expect(json.status).toBe(400);
});

test('a non-participant cannot upload, and nothing is written', async () => {
  const stranger = await h.visitor();
  const before = await files();
  const res = await upload(stranger, GIF_BYTES);
  expect(res.status).toBe(403);
  expect(await files()).toEqual(before);
});

test('uploads need the CSRF header', async () => {
  const res = await owner.agent.post(`/room/${room}/gif`).attach('gif', GIF_BYTES, 'a.gif');
  expect(res.status).toBe(403);
});

test.each([
  '/gif/',
  '/gif/..%2f..%2fpackage.json',
  '/gif/%2e%2e',
  '/gif/abc.gif',
  '/gif/0123456789abcdef0123456789abcdef.gif',
  '/gif/.gitkeep',
])('odd paths under /gif (%s) are 404', async (path) => {
  const res = await owner.agent.get(path);
  expect(res.status).toBe(404);
});

test('deleting the room deletes its GIF files, but not one another room still shows', async () => {
  const v = await h.visitor();
  const id = await v.createRoom({ title: 'doomed' });
  const own = await upload(v, craftGif(3, 2), 'a.gif', 'image/gif', id);
  const shared = await upload(v, GIF_BYTES, 'b.gif', 'image/gif', id);
  const name = String(own.body.gif).replace('/gif/', '');
  const sharedName = String(shared.body.gif).replace('/gif/', '');
  expect(await files()).toEqual(expect.arrayContaining([name, sharedName]));
  await v.agent.delete(`/room/${id}`).set('x-csrf-token', v.csrf).expect(200);
  expect(await files()).not.toContain(name);
  expect((await v.agent.get(`/gif/${name}`)).status).toBe(404);
  // The first tests sent the same bytes in `room`, which still shows them.
  expect(await files()).toContain(sharedName);
  expect((await owner.agent.get(`/gif/${sharedName}`)).status).toBe(200);
});
