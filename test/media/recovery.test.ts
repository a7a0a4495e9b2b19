import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import type { CommandStartedEvent } from 'mongodb';
import mongoose from 'mongoose';
import { colorOf } from '../../src/lib/identity';
import type { RoomId } from '../../src/lib/room-id';
import { createLogger } from '../../src/logger';
import { Transcoder } from '../../src/media/transcode';
import { GifService } from '../../src/services/gifs.service';
import { Message, type MessageDoc } from '../../src/models/message.model';
import { PendingMedia, takePending } from '../../src/models/pending-media.model';
import { ServerProcess } from '../../src/models/process.model';
import {
  startHarness,
  withMedia,
  type ChatMessage,
  type Harness,
  type Visitor,
} from '../support/harness';
import { eventually } from '../support/wait';
import { makeGif, tempDir } from './fixtures';

/*
 * A process that crashes (or stops) while ffmpeg makes a GIF's video leaves its message without
 * video, and after a crash without a poster too. It marks what it is making; another process takes
 * over the marks of a process no longer seen and makes them again.
 */

let h: Harness;
let alice: Visitor;
let room: RoomId;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  // The sweeper runs when the tests say so.
  h = await startHarness({ MESSAGES_PER_10S: 1000, SWEEP_INTERVAL_MS: 3_600_000 });
  alice = await h.visitor();
  room = await alice.createRoom({ title: 'after a crash' });
  tmp = await tempDir('recovery');
});
afterAll(async () => {
  await h.close();
  await tmp.remove();
});

/** An animated GIF of its own (each test its own bytes), uploaded, with its media made. */
async function sent(size: string): Promise<ChatMessage & { id: string }> {
  const bytes = await readFile(await makeGif(tmp.file(`${size}.gif`), { size }));
  const res = await alice.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', alice.csrf)
    .attach('gif', bytes, { filename: `${size}.gif`, contentType: 'image/gif' })
    .expect(201);
  const message = await withMedia(h, res.body as ChatMessage);
  expect(message.video).toBeDefined();
  return { ...message, id: /([0-9a-f]{32})\.gif$/.exec(message.gif!)![1]! };
}

/** What a crash in the middle of making leaves: no poster, no video, the mark of a dead process. */
async function crashed(message: ChatMessage & { id: string }, proc: string): Promise<void> {
  await Message.updateOne({ _id: message._id }, { $unset: { poster: 1, video: 1 } });
  await h.media.remove(`${message.id}.webp`);
  await h.media.remove(`${message.id}.mp4`);
  await PendingMedia.create({ _id: message.id, proc, at: new Date(Date.now() - 3_600_000) });
}

/** An ffmpeg that sleeps until it is killed. */
async function slowFfmpeg(): Promise<string> {
  const file = tmp.file('slow-ffmpeg');
  await writeFile(file, '#!/bin/sh\nexec sleep 30\n');
  await chmod(file, 0o755);
  return file;
}

/** Another process's GIF service on the same database and store, with its own transcoder. */
const service = (transcoder: Transcoder, proc: string) =>
  new GifService({
    store: h.media,
    transcoder,
    limits: {},
    logger: createLogger('silent'),
    post: (to, person, content, cid) => h.chat.post(to, person, content, cid),
    isPublic: (id) => h.rooms.isPublic(id),
    alone: true,
    process: proc,
    incomingDir: tmp.dir,
  });

const stored = (id: string) =>
  Promise.all([h.media.exists(`${id}.webp`), h.media.exists(`${id}.mp4`)]);

test('an upload marks the media it makes, and clears the mark once they are given', async () => {
  const writes: { command: string; doc: unknown }[] = [];
  const watch = (event: CommandStartedEvent) => {
    const { command } = event;
    if (command.insert === 'pendingmedia')
      writes.push({ command: 'insert', doc: (command.documents as unknown[])[0] });
    if (command.delete === 'pendingmedia')
      writes.push({ command: 'delete', doc: (command.deletes as { q: unknown }[])[0]!.q });
  };
  const client = mongoose.connection.getClient();
  client.on('commandStarted', watch);
  try {
    const message = await sent('96x64');
    await eventually(() => writes.length === 2, { what: 'the mark written and cleared' });
    const mark = { _id: message.id, proc: expect.stringContaining(`:${process.pid}:`) };
    expect(writes).toEqual([
      { command: 'insert', doc: expect.objectContaining(mark) },
      { command: 'delete', doc: mark },
    ]);
    expect(await PendingMedia.countDocuments()).toBe(0);
  } finally {
    client.off('commandStarted', watch);
  }
});

test('media a crashed process was making are made again by another, and reach the room', async () => {
  const message = await sent('128x96');
  await ServerProcess.create({ _id: 'crashed:1', seen: new Date(Date.now() - 3_600_000) });
  await crashed(message, 'crashed:1');
  expect(await stored(message.id)).toEqual([false, false]);
  const heard = h.events.media?.length ?? 0;

  await h.sweeper.sweep();

  const doc = (await Message.findById(message._id).lean<MessageDoc>())!;
  expect(doc).toMatchObject({
    poster: `/gif/${message.id}.webp`,
    video: `/gif/${message.id}.mp4`,
  });
  expect(await stored(message.id)).toEqual([true, true]);
  const update = h.events.media?.slice(heard).find(([, u]) => u._id === message._id)?.[1];
  expect(update).toMatchObject({ poster: doc.poster, video: doc.video });
  expect(await PendingMedia.countDocuments()).toBe(0);
  // The history a tab reads has them too (the newest messages are kept in memory).
  const history = await alice.agent
    .get(`/room/${room}/chats`)
    .set('accept', 'application/json')
    .expect(200);
  const listed = JSON.stringify(history.body);
  expect(listed).toContain(`${message.id}.mp4`);
});

test('the mark of a process still seen is left to it; one whose GIF is gone is dropped', async () => {
  const alive = await sent('112x80');
  await ServerProcess.create({ _id: 'alive:1', seen: new Date() });
  await crashed(alive, 'alive:1');
  const gone = await sent('80x60');
  await ServerProcess.create({ _id: 'crashed:2', seen: new Date(Date.now() - 3_600_000) });
  await crashed(gone, 'crashed:2');
  await Message.deleteOne({ _id: gone._id });
  await h.media.remove(`${gone.id}.gif`);

  await h.sweeper.sweep();

  expect(await PendingMedia.find({}).lean()).toEqual([
    expect.objectContaining({ _id: alive.id, proc: 'alive:1' }),
  ]);
  expect(await stored(alive.id)).toEqual([false, false]);
  expect(await Message.findById(alive._id).lean<MessageDoc>()).not.toHaveProperty('poster');
  expect(await stored(gone.id)).toEqual([false, false]);
  await PendingMedia.deleteMany({});
});

test('a process that stops while ffmpeg runs leaves its mark, and the next one makes the video', async () => {
  // An ffmpeg that takes its time: the stop kills it.
  let spawned = false;
  const transcoder = new Transcoder({
    ffmpegPath: await slowFfmpeg(),
    onSpawn: () => (spawned = true),
  });
  const stopping = service(transcoder, 'stopping:1');
  const upload = tmp.file('upload.gif');
  await copyFile(await makeGif(tmp.file('144x96.gif'), { size: '144x96' }), upload);
  const person = { session: 'stopping-session', pid: 'stoppingpid', user: colorOf('s') };
  const message = await stopping.upload(room, person, upload, 'stopped.gif');
  await eventually(() => spawned, { what: 'ffmpeg running' });

  await stopping.close();

  const id = /([0-9a-f]{32})\.gif$/.exec(message.gif!)![1]!;
  expect(await PendingMedia.findById(id).lean()).toMatchObject({ proc: 'stopping:1' });
  const stopped = (await Message.findById(message._id).lean<MessageDoc>())!;
  expect(stopped.poster).toBe(`/gif/${id}.webp`);
  expect(stopped).not.toHaveProperty('video');

  // 'stopping:1' beats no more (it never did here): the running app takes its mark over.
  await h.sweeper.sweep();
  expect((await Message.findById(message._id).lean<MessageDoc>())!.video).toBe(`/gif/${id}.mp4`);
  expect(await PendingMedia.countDocuments()).toBe(0);
});

test('a mark taken over while the transcoding queue is full goes back, to be taken again', async () => {
  const message = await sent('160x112');
  await crashed(message, 'crashed:3');
  // One child at a time, none waiting, and the one slot held.
  const transcoder = new Transcoder({
    ffmpegPath: await slowFfmpeg(),
    concurrency: 1,
    maxWaiting: 0,
  });
  const holder = transcoder.video(tmp.file('160x112.gif'), tmp.file('held.mp4'));
  const busy = service(transcoder, 'busy:1');
  try {
    await busy.recovery(60_000).run(Date.now());
    expect(await PendingMedia.find({}).lean()).toEqual([
      expect.objectContaining({ _id: message.id, proc: 'crashed:3' }),
    ]);
  } finally {
    await busy.close();
    await holder.done;
  }
  // With room again, the running app makes them.
  await h.sweeper.sweep();
  expect(await stored(message.id)).toEqual([true, true]);
  expect(await PendingMedia.countDocuments()).toBe(0);
});

test('processes racing to take over one mark: exactly one gets it', async () => {
  const mark = { _id: 'f'.repeat(32), proc: 'crashed:4', at: new Date() };
  await PendingMedia.create(mark);
  const takers = Array.from({ length: 12 }, (_, i) => `taker:${i}`);
  const took = await Promise.all(takers.map((to) => takePending(mark, to)));
  expect(took.filter(Boolean)).toHaveLength(1);
  const marks = await PendingMedia.find({}).lean();
  expect(marks).toEqual([expect.objectContaining({ proc: takers[took.indexOf(true)] })]);
  await PendingMedia.deleteMany({});
});
