import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Response } from 'supertest';
import { Message } from '../../src/models/message.model';
import { craftGif, hostileFiles, makeGif, tempDir } from '../media/fixtures';
import type { MediaUpdate } from '../../src/services/types';
import {
  startHarness,
  withMedia,
  type ChatMessage,
  type Harness,
  type Visitor,
} from '../support/harness';
import { eventually } from '../support/wait';

// Real sharp and ffmpeg, through HTTP, against each store.
let fixtures: Awaited<ReturnType<typeof tempDir>>;
let animated: Buffer;
let hostile: Awaited<ReturnType<typeof hostileFiles>>;
beforeAll(async () => {
  fixtures = await tempDir('http');
  const file = await makeGif(fixtures.file('anim.gif'), { size: '160x120', seconds: 2 });
  animated = await readFile(file);
  hostile = await hostileFiles(fixtures.dir, file);
});
afterAll(() => fixtures.remove());

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe.each([['local'], ['gridfs']] as const)('%s store', (kind) => {
  let h: Harness;
  let owner: Visitor;
  let room: string;
  beforeAll(async () => {
    h = await startHarness({ MEDIA_STORE: kind, MESSAGES_PER_10S: 1000, RETENTION_DAYS: 30 });
    owner = await h.visitor();
    room = await owner.createRoom({ title: `gifs ${kind}` });
  });
  afterAll(() => h.close());

  const upload = (v: Visitor, body: Buffer, id = room, name = 'dancing_cat.gif') =>
    v.agent
      .post(`/room/${id}/gif`)
      .set('x-csrf-token', v.csrf)
      .attach('gif', body, { filename: name, contentType: 'image/gif' });

  /** Objects of that name the store holds (GridFS could hold several; a directory one). */
  const copies = async (name: string) => {
    if (kind === 'local')
      return (await readdir(h.config.UPLOAD_DIR)).filter((n) => n === name).length;
    return mongoose.connection.db!.collection('media.files').countDocuments({ filename: name });
  };
  const incoming = () =>
    readdir(path.join(h.config.UPLOAD_DIR, '.incoming')).catch(() => [] as string[]);
  const base = (url: string) => url.slice('/gif/'.length);
  /** A temp file of an upload accepted before (its GIF, or the video being made from it). */
  const fromBefore = (received: Set<string>, name: string) =>
    [...received].some((r) => name.startsWith(r));

  test('an animated GIF becomes a message with its video, poster, size and name', async () => {
    const res = await upload(owner, animated);
    expect(res.status).toBe(201);
    const id = base(res.body.gif as string).slice(0, 32);
    // Answered once checked and stored: the poster and video follow as a `media` event.
    expect(res.body).toMatchObject({
      gif: `/gif/${id}.gif`,
      width: 160,
      height: 120,
      gifName: 'dancing cat',
    });
    const pushed = h.events.chat?.find(([, m]) => m._id === res.body._id)?.[1];
    expect(pushed).toMatchObject({ gif: res.body.gif, width: 160, height: 120 });
    const update = await eventually(
      () => h.events.media?.find(([, u]) => u._id === res.body._id)?.[1],
    );
    expect(update).toEqual<MediaUpdate>({
      room,
      _id: res.body._id as string,
      seq: res.body.seq as number,
      video: `/gif/${id}.mp4`,
      poster: `/gif/${id}.webp`,
    });
    res.body = { ...(res.body as ChatMessage), ...update };
    const video = await owner.agent.get(res.body.video).buffer(true).parse(binary);
    expect(video.status).toBe(200);
    expect(video.headers['content-type']).toBe('video/mp4');
    expect((video.body as Buffer).length).toBeLessThan(animated.length);
    const poster = await owner.agent.get(res.body.poster).buffer(true).parse(binary);
    expect(poster.headers['content-type']).toBe('image/webp');
    const gif = await owner.agent.get(res.body.gif).buffer(true).parse(binary);
    expect((gif.body as Buffer).equals(animated)).toBe(true);
    // The history page carries the same fields.
    const history = await owner.agent.get(`/room/${room}/chats`).expect(200);
    expect(history.body.messages.at(-1)).toMatchObject({ video: res.body.video, height: 120 });
    // The temp file goes once the media are stored (just after the room is told).
    await eventually(async () => (await incoming()).length === 0);
  });

  test('the video is served in byte ranges (206), past its end is 416', async () => {
    const sent = await Message.findOne({ video: { $exists: true } }).lean();
    const url = sent!.video!;
    const whole = await owner.agent.get(url).buffer(true).parse(binary);
    const size = (whole.body as Buffer).length;
    const part = await owner.agent.get(url).set('Range', 'bytes=10-99').buffer(true).parse(binary);
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-99/${size}`);
    expect((part.body as Buffer).equals((whole.body as Buffer).subarray(10, 100))).toBe(true);
    const past = await owner.agent.get(url).set('Range', `bytes=${size + 10}-`);
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);
  });

  test('the same bytes uploaded twice, by two people in two rooms, are stored once', async () => {
    const other = await h.visitor();
    const theirs = await other.createRoom({ title: 'again' });
    const bytes = craftGif(7, 5, 3);
    const first = await upload(owner, bytes);
    const second = await upload(other, bytes, theirs);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.gif).toBe(first.body.gif);
    expect(second.body._id).not.toBe(first.body._id);
    expect(await copies(base(first.body.gif as string))).toBe(1);
  });

  test('a retried upload answers with the first message and keeps nothing of its own', async () => {
    const send = (bytes: Buffer) =>
      owner.agent
        .post(`/room/${room}/gif`)
        .set('x-csrf-token', owner.csrf)
        .field('cid', 'retried-upload-1')
        .attach('gif', bytes, { filename: 'r.gif', contentType: 'image/gif' });
    const first = await send(craftGif(13, 4, 2));
    // The same client id with other bytes (a client bug, or a hostile one): the first stands.
    const second = await send(craftGif(14, 4, 2));
    expect(second.status).toBe(201);
    expect(second.body._id).toBe(first.body._id);
    expect(await h.media.exists(base(first.body.gif as string))).toBe(true);
    const stray = createHash('sha256')
      .update(craftGif(14, 4, 2))
      .digest('hex')
      .slice(0, 32);
    expect(await h.media.exists(`${stray}.gif`)).toBe(false);
    expect(await h.media.exists(`${stray}.webp`)).toBe(false);
  });

  test.each([
    ['text named .gif', 'text', 'not_gif'],
    ['a file that only starts like a GIF', 'garbage', 'gif_corrupt'],
    ['a truncated GIF', 'truncated', 'gif_corrupt'],
  ] as const)('%s is refused with 415, nothing stored', async (_label, which, code) => {
    const before = await Message.countDocuments();
    const received = new Set(await incoming());
    const res = await upload(owner, await readFile(hostile[which]));
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe(code);
    expect(await Message.countDocuments()).toBe(before);
    // (Files of accepted uploads may still be there while their media are made.)
    expect((await incoming()).filter((n) => !fromBefore(received, n))).toEqual([]);
  });

  test.each([
    ['a huge canvas', () => craftGif(60000, 60000), 'gif_too_wide', 4096],
    ['thousands of frames', () => craftGif(4, 4, 1001), 'gif_too_many_frames', 1000],
    ['too many pixels over all frames', () => craftGif(4000, 4000, 20), 'gif_too_many_pixels', 2e8],
  ])(
    'a decompression bomb (%s) is refused with 413 and its limit',
    async (_l, bytes, code, max) => {
      const before = await Message.countDocuments();
      const received = new Set(await incoming());
      const res = await upload(owner, bytes());
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code, params: { max } });
      expect(await Message.countDocuments()).toBe(before);
      expect((await incoming()).filter((n) => !fromBefore(received, n))).toEqual([]);
    },
  );

  test('removing a room removes its files, but keeps one another room still shows', async () => {
    const v = await h.visitor();
    const doomed = await v.createRoom({ title: 'doomed' });
    const own = await upload(v, craftGif(9, 9, 2), doomed);
    const shared = await upload(v, animated, doomed);
    const ownName = base(own.body.gif as string);
    const sharedName = base(shared.body.gif as string);
    expect(await h.media.exists(ownName)).toBe(true);
    await v.agent.delete(`/room/${doomed}`).set('x-csrf-token', v.csrf).expect(200);
    expect(await h.media.exists(ownName)).toBe(false);
    expect(await h.media.exists(ownName.replace('.gif', '.webp'))).toBe(false);
    expect((await v.agent.get(`/gif/${ownName}`)).status).toBe(404);
    // The first test sent the same animation in `room`: its GIF, poster and video stay.
    for (const url of [shared.body.gif, shared.body.poster, shared.body.video] as string[])
      expect((await owner.agent.get(url)).status).toBe(200);
    expect(await copies(sharedName)).toBe(1);
  });

  test('retention deletes old messages and the files no newer message uses', async () => {
    const v = await h.visitor();
    const id = await v.createRoom({ title: 'old' });
    const lone = await upload(v, craftGif(11, 3, 2), id);
    const kept = await upload(v, craftGif(12, 3, 2), id);
    const today = await upload(v, craftGif(12, 3, 2), id); // the same bytes, sent again today
    // Their media are made after the answers: the test ages them once that write is done (two
    // writers of one document would not be isolated on FerretDB).
    for (const res of [lone, kept, today]) await withMedia(h, res.body as ChatMessage);
    const old = new Date(Date.now() - 31 * 86_400_000);
    await Message.updateMany({ _id: { $in: [lone.body._id, kept.body._id] } }, { createdAt: old });
    await h.sweeper.sweep();
    expect(await Message.countDocuments({ _id: { $in: [lone.body._id, kept.body._id] } })).toBe(0);
    expect(await h.media.exists(base(lone.body.gif as string))).toBe(false);
    expect(await h.media.exists(base(kept.body.gif as string))).toBe(true);
    // Recent messages are untouched, and the history no longer shows the deleted ones.
    const history = await v.agent.get(`/room/${id}/chats`).expect(200);
    const ids = (history.body.messages as { _id: string }[]).map((m) => m._id);
    expect(ids).not.toContain(lone.body._id);
    expect(history.body.messages.filter((m: { gif?: string }) => m.gif)).toHaveLength(1);
  });
});
