/**
 * GIFs on a site served by two processes sharing no disk: media in GridFS, the picker and re-send
 * checks answered by bounded queries (no process keeps an index of the other's sends). Needs a
 * real Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379) besides the test database.
 */
import { readFile } from 'node:fs/promises';
import request from 'supertest';
import { craftGif, makeGif, tempDir } from '../media/fixtures';
import { startCluster, type ClusterHarness, type Node } from '../support/cluster';
import type { MediaUpdate } from '../../src/services/types';
import { ask, next, type ChatMessage } from '../support/harness';

let c: ClusterHarness;
let a: Node;
let b: Node;
let fixtures: Awaited<ReturnType<typeof tempDir>>;
let animated: Buffer;
beforeAll(async () => {
  fixtures = await tempDir('cluster');
  animated = await readFile(await makeGif(fixtures.file('a.gif'), { size: '96x72', seconds: 1 }));
  c = await startCluster(2, { MEDIA_STORE: 'gridfs' });
  [a, b] = c.nodes as [Node, Node];
}, 60_000);
afterAll(async () => {
  await c.close();
  await fixtures.remove();
});

test('a GIF uploaded through one process is listed, served and sent again through the other', async () => {
  const alice = await a.visitor();
  const room = await alice.createRoom({ title: 'two processes' });
  const aliceTab = await alice.socket(['websocket'], a.url);
  expect((await ask(aliceTab, 'join', { room, after: 0 })).ok).toBe(true);
  const bob = await b.visitor();
  await bob.agent.get(`/room/${room}`).expect(200);
  const bobTab = await bob.socket(['websocket'], b.url);
  expect((await ask(bobTab, 'join', { room, after: 0 })).ok).toBe(true);
  // The poster and video are made after the answer: the other process's tab hears them.
  const made = next<MediaUpdate>(bobTab, 'media');
  const uploaded = await alice.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', alice.csrf)
    .attach('gif', animated, { filename: 'two_procs.gif', contentType: 'image/gif' })
    .expect(201);
  expect((uploaded.body as ChatMessage).video).toBeUndefined();
  const update = await made;
  expect(update._id).toBe(uploaded.body._id);
  const gif = { ...(uploaded.body as ChatMessage), ...update };
  expect(gif.video).toMatch(/\.mp4$/);
  const popular = await bob.agent.get('/gifs?tab=popular&q=procs').expect(200);
  expect(popular.body.items).toEqual([
    expect.objectContaining({ gif: gif.gif, video: gif.video, gifName: 'two procs', count: 1 }),
  ]);
  const range = await bob.agent.get(gif.video!).set('Range', 'bytes=0-9');
  expect(range.status).toBe(206);

  const heard = next(aliceTab, 'chat', (m) => m.pid !== gif.pid && m.gif === gif.gif);
  const name = gif.gif!.slice('/gif/'.length);
  const sent = await ask<ChatMessage>(bobTab, 'gif', { name, cid: 'cluster-resend-1' });
  expect(sent).toMatchObject({ ok: true, data: { gif: gif.gif, poster: gif.poster } });
  expect((await heard)._id).toBe(sent.data?._id);
  // Bob's Recent, asked of the other process, has it too.
  const recent = await request(a.server).get('/gifs?tab=recent').set('cookie', bob.cookie);
  expect(recent.body.items.map((i: { gif: string }) => i.gif)).toEqual([gif.gif]);
});

test("a secret room's GIF cannot be listed or sent again through another process by outsiders", async () => {
  const owner = await a.visitor();
  const secret = await owner.createRoom({ title: 'secret', password: 'pw-secret' });
  const hidden = await owner.agent
    .post(`/room/${secret}/gif`)
    .set('x-csrf-token', owner.csrf)
    .attach('gif', craftGif(6, 5, 2), { filename: 'hidden.gif', contentType: 'image/gif' })
    .expect(201);
  const stranger = await b.visitor();
  const open = await stranger.createRoom({ title: 'open' });
  const popular = await stranger.agent.get('/gifs?tab=popular&q=hidden').expect(200);
  expect(popular.body.items).toEqual([]);
  const refused = await stranger.agent
    .post(`/room/${open}/gif`)
    .set('x-csrf-token', stranger.csrf)
    .send({ gif: (hidden.body as ChatMessage).gif, cid: 'steal-cluster-1' });
  expect(refused.status).toBe(404);
  expect(refused.body.error.code).toBe('gif_not_found');
});
