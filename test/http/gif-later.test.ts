import { execFile } from 'node:child_process';
import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Socket } from 'socket.io-client';
import { Message } from '../../src/models/message.model';
import type { MediaUpdate } from '../../src/services/types';
import { makeGif, tempDir } from '../media/fixtures';
import {
  ask,
  member,
  startHarness,
  type ChatMessage,
  type Harness,
  type Visitor,
} from '../support/harness';
import { eventually, nextEvent } from '../support/wait';

// An upload is answered once its checks are done; its poster and video are made afterwards and
// the room is told (`media`). The one ffmpeg slot is held by a child reading a FIFO nobody writes
// to until the test says so, so "the video is not made yet" does not depend on the machine's speed.
let h: Harness;
let fixtures: Awaited<ReturnType<typeof tempDir>>;
const gifs: Buffer[] = [];
let fifos = 0;
beforeAll(async () => {
  fixtures = await tempDir('later');
  h = await startHarness({ MEDIA_CONCURRENCY: 1, MEDIA_QUEUE: 4, MESSAGES_PER_10S: 1000 });
  for (const size of ['120x90', '128x96', '136x102', '144x108', '152x114', '160x120'])
    gifs.push(await readFile(await makeGif(fixtures.file(`${size}.gif`), { size, seconds: 1 })));
});
afterAll(async () => {
  await h.close();
  await fixtures.remove();
});

/** Holds the only ffmpeg slot until `free` is called; resolves once the child has exited. */
async function holdSlot(): Promise<{ free: () => Promise<void> }> {
  const fifo = fixtures.file(`held-${++fifos}.gif`);
  await promisify(execFile)('mkfifo', [fifo]);
  const job = h.transcoder.video(fifo, `${fifo}.mp4`);
  return {
    free: async () => {
      await (await open(fifo, 'w')).close();
      await job.done;
    },
  };
}

const upload = (v: Visitor, room: string, body: Buffer, name = 'later.gif') =>
  v.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', v.csrf)
    .attach('gif', body, { filename: name, contentType: 'image/gif' });
const idOf = (message: ChatMessage) => message.gif!.slice('/gif/'.length, -'.gif'.length);
const incoming = () =>
  readdir(path.join(h.config.UPLOAD_DIR, '.incoming')).catch(() => [] as string[]);
const mediaHeard = (id: string) => (h.events.media ?? []).filter(([, u]) => u._id === id);

/** Collects a socket's `chat` events from now on. */
function collect(socket: Socket): ChatMessage[] {
  const heard: ChatMessage[] = [];
  socket.on('chat', (m: ChatMessage) => heard.push(m));
  return heard;
}

test('an upload is answered before its video exists; the room then hears its poster and video', async () => {
  const alice = await h.visitor();
  const room = await alice.createRoom({ title: 'later' });
  const bob = await member(h, room);
  const held = await holdSlot();
  const res = await upload(alice, room, gifs[0]!, 'cat_wave.gif');
  expect(res.status).toBe(201);
  const answered = res.body as ChatMessage;
  const id = idOf(answered);
  // Its size (the box's shape) is there at once; the poster and video are not made yet.
  expect(answered).toMatchObject({ width: 120, height: 90, gifName: 'cat wave' });
  expect(answered.video).toBeUndefined();
  expect(answered.poster).toBeUndefined();
  expect(await h.media.exists(`${id}.mp4`)).toBe(false);
  expect((await alice.agent.get(answered.gif!)).status).toBe(200);

  const heard = nextEvent<MediaUpdate>(bob.socket, 'media', {
    match: (u) => u._id === answered._id,
  });
  await held.free();
  const update = await heard;
  expect(update).toEqual({
    room,
    _id: answered._id,
    seq: answered.seq,
    poster: `/gif/${id}.webp`,
    video: `/gif/${id}.mp4`,
  });
  expect(mediaHeard(answered._id)).toHaveLength(1);
  const stored = await Message.findById(answered._id).lean();
  expect(stored).toMatchObject({ poster: update.poster, video: update.video, width: 120 });
  const video = await alice.agent.get(update.video!);
  expect(video.status).toBe(200);
  expect(video.headers['content-type']).toBe('video/mp4');
  await eventually(async () => (await incoming()).length === 0);

  // Someone joining after the media were made gets the final form, in the replay and the history.
  const carol = await h.visitor();
  const tab = await carol.socket();
  const replayed = collect(tab);
  expect((await ask(tab, 'join', { room, after: 0 })).ok).toBe(true);
  const again = await eventually(() => replayed.find((m) => m._id === answered._id));
  expect(again).toMatchObject({ gif: answered.gif, poster: update.poster, video: update.video });
  const history = await carol.agent.get(`/room/${room}/chats`).expect(200);
  const page = history.body.messages as ChatMessage[];
  expect(page.find((m) => m._id === answered._id)).toMatchObject({
    poster: update.poster,
    video: update.video,
    width: 120,
    height: 90,
  });
});

test('the same bytes uploaded again while their media are made get the same media, made once', async () => {
  const alice = await h.visitor();
  const bob = await h.visitor();
  const [one, two] = [await alice.createRoom(), await bob.createRoom()];
  const held = await holdSlot();
  const first = (await upload(alice, one, gifs[1]!).expect(201)).body as ChatMessage;
  expect(h.transcoder.load.waiting).toBe(1);
  const second = (await upload(bob, two, gifs[1]!).expect(201)).body as ChatMessage;
  expect(second.gif).toBe(first.gif);
  expect(second.video).toBeUndefined();
  // It waits for the first one's job instead of queueing its own.
  expect(h.transcoder.load.waiting).toBe(1);
  await held.free();
  const id = idOf(first);
  for (const message of [first, second]) {
    const heard = await eventually(() => mediaHeard(message._id).length > 0);
    expect(heard).toBe(true);
    const [[, update]] = mediaHeard(message._id) as [[string, MediaUpdate]];
    expect(update).toMatchObject({ poster: `/gif/${id}.webp`, video: `/gif/${id}.mp4` });
    expect(await Message.findById(message._id).lean()).toMatchObject({ video: update.video });
  }
  // Sent a third time, once made: the answer carries them at once.
  const third = (await upload(alice, one, gifs[1]!).expect(201)).body as ChatMessage;
  expect(third).toMatchObject({ video: `/gif/${id}.mp4`, poster: `/gif/${id}.webp` });
});

test('a message deleted while its media are made stays deleted, and no file comes back', async () => {
  const alice = await h.visitor();
  const room = await alice.createRoom();
  const tab = await member(h, room, alice);
  const held = await holdSlot();
  const sent = (await upload(alice, room, gifs[2]!).expect(201)).body as ChatMessage;
  expect((await ask(tab.socket, 'delete', { _id: sent._id })).ok).toBe(true);
  await held.free();
  // The job is over once its temp file is gone.
  await eventually(async () => (await incoming()).length === 0);
  const id = idOf(sent);
  for (const ext of ['gif', 'webp', 'mp4'])
    expect(await h.media.exists(`${id}.${ext}`)).toBe(false);
  const stored = await Message.findById(sent._id).lean();
  expect(stored).toMatchObject({ deleted: true });
  expect(stored).not.toHaveProperty('video');
  expect(stored).not.toHaveProperty('poster');
  expect(stored).not.toHaveProperty('gif');
  expect(mediaHeard(sent._id)).toEqual([]);
});

test('a room removed while its media are made leaves no files and no messages', async () => {
  const alice = await h.visitor();
  const room = await alice.createRoom({ title: 'doomed' });
  const held = await holdSlot();
  const sent = (await upload(alice, room, gifs[3]!).expect(201)).body as ChatMessage;
  await alice.agent.delete(`/room/${room}`).set('x-csrf-token', alice.csrf).expect(200);
  await held.free();
  await eventually(async () => (await incoming()).length === 0);
  const id = idOf(sent);
  for (const ext of ['gif', 'webp', 'mp4'])
    expect(await h.media.exists(`${id}.${ext}`)).toBe(false);
  expect(await Message.countDocuments({ room })).toBe(0);
  expect(mediaHeard(sent._id)).toEqual([]);
});

test('a GIF sent again (picker) while its media are made gets them too', async () => {
  const alice = await h.visitor();
  const room = await alice.createRoom();
  const held = await holdSlot();
  const first = (await upload(alice, room, gifs[5]!).expect(201)).body as ChatMessage;
  const again = await alice.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', alice.csrf)
    .send({ gif: first.gif })
    .expect(201);
  expect(again.body.video).toBeUndefined();
  await held.free();
  for (const message of [first, again.body as ChatMessage]) {
    await eventually(() => mediaHeard(message._id).length === 1);
    expect(await Message.findById(message._id).lean()).toMatchObject({
      video: `/gif/${idOf(first)}.mp4`,
    });
  }
});

// Last: it stops the transcoder.
test('a transcode that fails after the answer leaves the message with its GIF (and poster)', async () => {
  const alice = await h.visitor();
  const room = await alice.createRoom();
  const bob = await member(h, room);
  const held = await holdSlot();
  const sent = (await upload(alice, room, gifs[4]!).expect(201)).body as ChatMessage;
  const heard = nextEvent<MediaUpdate>(bob.socket, 'media', { match: (u) => u._id === sent._id });
  // Stopped while the job waits (as in a shutdown): the job yields no video. (The held child is
  // killed too: its slot needs no freeing.)
  void held;
  const stopping = h.transcoder.close();
  const update = await heard;
  await stopping;
  const id = idOf(sent);
  expect(update).toEqual({ room, _id: sent._id, seq: sent.seq, poster: `/gif/${id}.webp` });
  const stored = await Message.findById(sent._id).lean();
  expect(stored).toMatchObject({ gif: sent.gif, poster: update.poster, width: 152 });
  expect(stored).not.toHaveProperty('video');
  expect(await h.media.exists(`${id}.mp4`)).toBe(false);
  const gif = await alice.agent.get(sent.gif!);
  expect(gif.status).toBe(200);
  expect(gif.headers['content-type']).toBe('image/gif');
  await eventually(async () => (await incoming()).length === 0);
});
