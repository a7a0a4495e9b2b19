import { execFile } from 'node:child_process';
import { mkdir, open, readdir, utimes, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Message } from '../../src/models/message.model';
import { craftGif, tempDir } from '../media/fixtures';
import { startHarness, withMedia, type ChatMessage, type Harness } from '../support/harness';
import { eventually } from '../support/wait';

let h: Harness;
let fixtures: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  fixtures = await tempDir('busy');
  h = await startHarness({ MEDIA_CONCURRENCY: 1, MEDIA_QUEUE: 0 });
});
afterAll(async () => {
  await h.close();
  await fixtures.remove();
});

test('a full transcoding queue answers 503 with Retry-After and stores nothing', async () => {
  // The one ffmpeg slot is held by a child reading a FIFO nobody writes to yet: the queue is
  // full until the FIFO is closed, whatever the machine's speed.
  const fifo = fixtures.file('blocked.gif');
  await promisify(execFile)('mkfifo', [fifo]);
  const job = h.transcoder.video(fifo, fixtures.file('blocked.mp4'));
  const v = await h.visitor();
  const room = await v.createRoom();
  const upload = () =>
    v.agent
      .post(`/room/${room}/gif`)
      .set('x-csrf-token', v.csrf)
      .attach('gif', craftGif(8, 8, 3), { filename: 'busy.gif', contentType: 'image/gif' });

  const refused = await upload();
  expect(refused.status).toBe(503);
  expect(refused.body.error).toMatchObject({ code: 'media_busy', params: { seconds: 5 } });
  expect(refused.headers['retry-after']).toBe('5');
  expect(await Message.countDocuments({ gif: { $exists: true } })).toBe(0);
  expect((await readdir(h.config.UPLOAD_DIR)).filter((n) => !n.startsWith('.'))).toEqual([]);
  expect(await readdir(`${h.config.UPLOAD_DIR}/.incoming`)).toEqual([]);

  await (await open(fifo, 'w')).close();
  expect((await job.done).ok).toBe(false);
  const accepted = await upload();
  expect(accepted.status).toBe(201);
  // Its media are made after the answer; its temp file goes with them.
  await withMedia(h, accepted.body as ChatMessage);
  await eventually(async () => (await readdir(`${h.config.UPLOAD_DIR}/.incoming`)).length === 0);
});

test('uploads a crashed process left behind are swept after an hour; fresh ones stay', async () => {
  const dir = `${h.config.UPLOAD_DIR}/.incoming`;
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/left-behind.gif`, 'GIF89a');
  await writeFile(`${dir}/in-flight.gif`, 'GIF89a');
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
  await utimes(`${dir}/left-behind.gif`, twoHoursAgo, twoHoursAgo);
  await h.sweeper.sweep();
  expect(await readdir(dir)).toEqual(['in-flight.gif']);
});
