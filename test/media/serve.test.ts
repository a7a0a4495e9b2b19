import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { toAppError } from '../../src/errors';
import { parseRange } from '../../src/media/http-range';
import { serveMedia } from '../../src/media/serve';
import { mediaNames, type MediaStore } from '../../src/media/store';
import { craftGif } from './fixtures';
import { eachStore, type StoreUnderTest } from './stores';

const GIF = craftGif(3, 2, 40); // a real GIF of some length
const MP4 = randomBytes(3000);
const NAMES = mediaNames('0123456789abcdef'.repeat(4));

test.each([
  ['bytes=0-9', 100, { kind: 'partial', range: { start: 0, end: 9 } }],
  ['bytes=90-', 100, { kind: 'partial', range: { start: 90, end: 99 } }],
  ['bytes=-5', 100, { kind: 'partial', range: { start: 95, end: 99 } }],
  ['bytes=-500', 100, { kind: 'partial', range: { start: 0, end: 99 } }],
  ['bytes=90-5000', 100, { kind: 'partial', range: { start: 90, end: 99 } }],
  ['bytes=100-', 100, { kind: 'unsatisfiable' }],
  ['bytes=-0', 100, { kind: 'unsatisfiable' }],
  ['bytes=5-2', 100, { kind: 'whole' }],
  ['bytes=0-1,5-6', 100, { kind: 'whole' }],
  ['items=0-5', 100, { kind: 'whole' }],
  ['bytes=x-y', 100, { kind: 'whole' }],
])('Range %s of %d bytes', (header, size, expected) => {
  expect(parseRange(header, size)).toEqual(expected);
});

describe.each(eachStore('serve'))('serveMedia over %s', (_label, open) => {
  let s: StoreUnderTest;
  let server: Server;
  const get = (name: string, headers: Record<string, string> = {}) =>
    request(server)
      .get(`/media/${name}`)
      .set(headers)
      .buffer(true)
      // The body as bytes whatever its type (supertest only buffers text and JSON by itself).
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });

  beforeAll(async () => {
    s = await open();
    await s.store.put(NAMES.gif, Readable.from([GIF]), 'image/gif');
    await s.store.put(NAMES.mp4, Readable.from([MP4]), 'video/mp4');
    await s.store.put(NAMES.webp, Readable.from([Buffer.from('RIFFxxxxWEBP')]), 'image/webp');
    const app = express();
    app.get('/media/:name', serveMedia(s.store));
    // The same store, except that each object is removed right after its stat: the race of a
    // room being deleted while its GIF is requested, made to happen every time.
    const vanishing: MediaStore = Object.create(s.store) as MediaStore;
    vanishing.stat = async (name) => {
      const stat = await s.store.stat(name);
      await s.store.remove(name);
      return stat;
    };
    app.get('/vanishing/:name', serveMedia(vanishing));
    app.use(((err, _req, res, _next) => {
      const e = toAppError(err);
      res.status(e.status).json({ code: e.code });
    }) as ErrorRequestHandler);
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await s.close();
  });

  test('200 with the whole body and the safe, cacheable headers', async () => {
    const res = await get(NAMES.gif);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, GIF)).toBe(0);
    expect(res.headers).toMatchObject({
      'content-type': 'image/gif',
      'content-length': String(GIF.length),
      'x-content-type-options': 'nosniff',
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      etag: `"${NAMES.id}"`,
    });
  });

  test.each([
    ['mp4', 'video/mp4'],
    ['webp', 'image/webp'],
  ] as const)('a .%s is served as %s', async (kind, type) => {
    const res = await get(NAMES[kind]);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
  });

  test.each([
    ['bytes=0-99', 0, 99],
    ['bytes=2900-', 2900, 2999],
    ['bytes=-10', 2990, 2999],
    ['bytes=-99999', 0, 2999],
  ])('Range %s → 206 with Content-Range', async (range, start, end) => {
    const res = await get(NAMES.mp4, { Range: range });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/3000`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(Buffer.compare(res.body as Buffer, MP4.subarray(start, end + 1))).toBe(0);
  });

  test('an unsatisfiable range → 416 with the size', async () => {
    const res = await get(NAMES.mp4, { Range: 'bytes=3000-' });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */3000');
  });

  test.each([
    ['several ranges', { Range: 'bytes=0-1,10-11' }],
    ['an If-Range of another version', { Range: 'bytes=0-1', 'If-Range': '"other"' }],
  ])('%s → 200 with the whole body', async (_what, headers) => {
    const res = await get(NAMES.mp4, headers);
    expect(res.status).toBe(200);
    expect((res.body as Buffer).length).toBe(3000);
  });

  test('If-None-Match of our tag (strong or weak) → 304 without a body', async () => {
    for (const tag of [`"${NAMES.id}"`, `W/"${NAMES.id}"`, `"x", "${NAMES.id}"`]) {
      const res = await get(NAMES.gif, { 'If-None-Match': tag });
      expect(res.status).toBe(304);
      expect(res.headers.etag).toBe(`"${NAMES.id}"`);
      expect((res.body as Buffer).length).toBe(0);
    }
    expect((await get(NAMES.gif, { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  test('HEAD answers the headers of GET without a body', async () => {
    const res = await request(server).head(`/media/${NAMES.mp4}`).set('Range', 'bytes=0-9');
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 0-9/3000');
    expect(res.headers['content-length']).toBe('10');
    const whole = await request(server).head(`/media/${NAMES.gif}`);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-length']).toBe(String(GIF.length));
  });

  test.each([
    ['a missing object', mediaNames('f'.repeat(64)).gif],
    ['a traversal', '..%2f..%2fetc%2fpasswd'],
    ['a name of another type', `${NAMES.id}.html`],
  ])('%s → a typed 404, not cached forever', async (_what, name) => {
    const res = await get(name);
    expect(res.status).toBe(404);
    expect(JSON.parse((res.body as Buffer).toString())).toEqual({ code: 'media_not_found' });
    expect(res.headers['cache-control'] ?? '').not.toMatch(/immutable/);
  });

  test('an object removed between its stat and its read → a 404 without our caching', async () => {
    const name = mediaNames('9'.repeat(64)).webp;
    await s.store.put(name, Readable.from([Buffer.from('soon gone')]), 'image/webp');
    const res = await request(server).get(`/vanishing/${name}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 'media_not_found' });
    expect(res.headers['cache-control'] ?? '').not.toMatch(/immutable/);
    expect(res.headers.etag).not.toBe(`"${'9'.repeat(32)}"`);
  });
});
