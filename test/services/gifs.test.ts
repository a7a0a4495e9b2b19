import os from 'node:os';
import { NotFound } from '../../src/errors';
import { colorOf, type Person } from '../../src/lib/identity';
import type { RoomId } from '../../src/lib/room-id';
import { createLogger } from '../../src/logger';
import { GifService, displayName } from '../../src/services/gifs.service';
import { craftGif } from '../media/fixtures';
import {
  startHarness,
  withMedia,
  type ChatMessage,
  type Harness,
  type Visitor,
} from '../support/harness';

// The picker and re-send checks answered three ways must agree: the running app's index, a
// process that restarted (its index read from the database), and a clustered process that keeps
// no index (bounded queries per request).
let h: Harness;
let alice: Visitor;
let lounge: RoomId;
let secret: RoomId;
const sent: ChatMessage[] = [];
beforeAll(async () => {
  h = await startHarness({ MESSAGES_PER_10S: 1000 });
  alice = await h.visitor();
  lounge = await alice.createRoom({ title: 'lounge' });
  secret = await alice.createRoom({ title: 'hidden', password: 'pw-secret' });
  const post = async (room: RoomId, bytes: Buffer, name: string) => {
    const res = await alice.agent
      .post(`/room/${room}/gif`)
      .set('x-csrf-token', alice.csrf)
      .attach('gif', bytes, { filename: name, contentType: 'image/gif' })
      .expect(201);
    // As stored once its poster (and video) are made, after the answer.
    sent.push(await withMedia(h, res.body as ChatMessage));
  };
  await post(lounge, craftGif(3, 3, 2), 'one.gif');
  await post(lounge, craftGif(4, 3, 2), 'two.gif');
  await post(lounge, craftGif(3, 3, 2), 'one again.gif');
  await post(secret, craftGif(5, 3, 2), 'secret.gif');
});
afterAll(() => h.close());

const service = (alone: boolean) =>
  new GifService({
    store: h.media,
    transcoder: h.transcoder,
    limits: {},
    logger: createLogger('silent'),
    post: (room, person, content, cid) => h.chat.post(room, person, content, cid),
    isPublic: (room) => h.rooms.isPublic(room),
    alone,
    process: 'another process',
    incomingDir: os.tmpdir(),
  });
const bob: Person = { session: 'bob-session', pid: 'bobpid', user: colorOf('bob-session') };

test.each([
  ['a restarted process', true],
  ['a clustered process', false],
])('%s lists what the running app lists', async (_label, alone) => {
  const other = service(alone);
  await other.load();
  const pid = sent[0]!.pid!;
  for (const query of [
    { tab: 'recent' as const },
    { tab: 'popular' as const },
    { tab: 'popular' as const, q: 'ONE' },
    { tab: 'popular' as const, room: secret },
  ]) {
    const expected = await h.gifs.picker(pid, query);
    expect(expected.length).toBeGreaterThan(0);
    expect(await other.picker(pid, query)).toEqual(expected);
  }
  expect((await other.picker(pid, { tab: 'popular' })).map((i) => [i.gifName, i.count])).toEqual([
    ['one again', 2],
    ['two', 1],
  ]);
});

test.each([
  ['a restarted process', true],
  ['a clustered process', false],
])('%s refuses a secret room’s GIF to a stranger and re-sends a public one', async (_l, alone) => {
  const other = service(alone);
  await expect(other.resend(lounge, bob, sent[3]!.gif!)).rejects.toBeInstanceOf(NotFound);
  const again = await other.resend(lounge, bob, sent[1]!.gif!, `again-${String(alone)}`);
  expect(again).toMatchObject({ gif: sent[1]!.gif, pid: 'bobpid', gifName: 'two' });
});

test.each([
  ['cat_dance.GIF', 'cat dance'],
  ['C:\\Users\\me\\funny   dog.gif', 'funny dog'],
  ['../../etc/passwd', 'passwd'],
  ['ｗｉｄｅ\u200b.gif', 'wide'],
  ['고양이.gif', '고양이'],
  [Buffer.from('고양이.gif').toString('latin1'), '고양이'],
  ['.gif', undefined],
  ['x'.repeat(200), 'x'.repeat(80)],
])('the uploaded name %j is shown as %j', (raw, shown) => {
  expect(displayName(raw)).toBe(shown);
});
