import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import type { RoomId } from '../../src/lib/room-id';
import { Message } from '../../src/models/message.model';
import { GIF_BYTES, startHarness, type Harness, type Visitor } from '../support/harness';
import { eventually } from '../support/wait';
import { isErrorCode, shortHostileString, snapshot, watchEscapes } from '../support/fuzz';

// Property runs make hundreds of requests: on a busy 2-core machine they take minutes, not seconds.
jest.setTimeout(240_000);

/*
 * The GIF upload, fed malformed multipart bodies: no file, two files, the wrong field, a body cut
 * short, a bad or missing boundary, not a GIF, a GIF signature then garbage, too large, too many
 * fields. A refusal is a 4xx sent only once its file is gone (the upload directory is as it was
 * when the answer arrives) and stores nothing; an accepted upload keeps exactly its one file.
 */

const MAX = 16 * 1024;
let h: Harness;
let owner: Visitor;
let room: RoomId;
const escapes = watchEscapes();
let sent = 0;

beforeAll(async () => {
  h = await startHarness({ MAX_GIF_BYTES: MAX, MESSAGES_PER_10S: 100_000 });
  owner = await h.visitor();
  room = await owner.createRoom({ title: 'uploads' });
});
afterAll(async () => {
  escapes.stop();
  await h.close();
});

const list = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
/** Files on disk: uploads being received (`.incoming`) and the media store's. */
const files = async () => [
  ...(await list(path.join(h.config.UPLOAD_DIR, '.incoming'))).map((n) => `.incoming/${n}`),
  ...(await list(h.config.UPLOAD_DIR)),
];
const incoming = async () => (await files()).filter((n) => n.startsWith('.incoming/'));

type Content = 'gif' | 'gif-then-garbage' | 'garbage' | 'empty' | 'signature-cut' | 'oversize';
const CONTENT: Record<Content, () => Buffer> = {
  gif: () => GIF_BYTES,
  'gif-then-garbage': () => Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(64, 0xff)]),
  garbage: () => Buffer.from('<html><script>alert(1)</script></html>'),
  empty: () => Buffer.alloc(0),
  'signature-cut': () => Buffer.from('GIF8'),
  oversize: () => Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(MAX + 1, 1)]),
};

interface Part {
  name: string | null;
  /** A file part (with a filename) or a field. */
  filename: string | null;
  type: string | null;
  content: Content | { text: string };
}

interface Upload {
  parts: Part[];
  /** The boundary the header announces; the body uses `bodyBoundary`. */
  boundary: string | null;
  bodyBoundary: string;
  /** Cut the body to this fraction of its length (1: whole). */
  keep: number;
  closing: boolean;
}

const part: fc.Arbitrary<Part> = fc.record({
  name: fc.oneof(
    { weight: 5, arbitrary: fc.constant<string | null>('gif') },
    { weight: 2, arbitrary: fc.constantFrom<string | null>('file', 'cid', '', null, '__proto__') },
    { weight: 1, arbitrary: shortHostileString.map((s) => s.replace(/["\r\n]/g, '')) },
  ),
  filename: fc.oneof(
    { weight: 4, arbitrary: fc.constant<string | null>('a.gif') },
    { weight: 1, arbitrary: fc.constantFrom<string | null>(null, '', '../../etc/passwd', 'ü.gif') },
  ),
  type: fc.constantFrom<string | null>('image/gif', 'image/png', 'text/html', null),
  content: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom<Content>(
        'gif',
        'gif-then-garbage',
        'garbage',
        'empty',
        'signature-cut',
        'oversize',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('abcdefgh12', 'x'.repeat(2000), '').map((text) => ({ text })),
    },
  ),
});

const upload: fc.Arbitrary<Upload> = fc.record({
  parts: fc.array(part, { minLength: 0, maxLength: 7 }),
  boundary: fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | null>('fuzzboundary') },
    { weight: 1, arbitrary: fc.constantFrom<string | null>(null, '', 'other', 'b'.repeat(100)) },
  ),
  bodyBoundary: fc.constant('fuzzboundary'),
  keep: fc.oneof(
    { weight: 4, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  ),
  closing: fc.oneof(
    { weight: 5, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
});

function bodyOf(u: Upload): Buffer {
  const chunks: Buffer[] = [];
  for (const p of u.parts) {
    const disposition = [
      'form-data',
      ...(p.name === null ? [] : [`name="${p.name}"`]),
      ...(p.filename === null ? [] : [`filename="${p.filename}"`]),
    ].join('; ');
    const headers = [
      `--${u.bodyBoundary}`,
      `Content-Disposition: ${disposition}`,
      ...(p.type ? [`Content-Type: ${p.type}`] : []),
      '',
      '',
    ].join('\r\n');
    const content =
      typeof p.content === 'string' ? CONTENT[p.content]() : Buffer.from(p.content.text);
    chunks.push(Buffer.from(headers), content, Buffer.from('\r\n'));
  }
  if (u.closing) chunks.push(Buffer.from(`--${u.bodyBoundary}--\r\n`));
  const body = Buffer.concat(chunks);
  return body.subarray(0, Math.floor(body.length * u.keep));
}

async function send(u: Upload): Promise<request.Response> {
  sent++;
  const type =
    u.boundary === null ? 'multipart/form-data' : `multipart/form-data; boundary=${u.boundary}`;
  return owner.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', owner.csrf)
    .set('Content-Type', type)
    .set('accept', 'application/json')
    .send(bodyOf(u));
}

/** What stored documents a batch may change: only messages, one per accepted upload. */
const unchanged = (s: Record<string, string[]>) => ({ ...s, messages: [] });

test('malformed uploads are refused with a 4xx once their file is gone; nothing is stored', async () => {
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(upload, { minLength: 5, maxLength: 15 }), async (batch) => {
      const before = await snapshot();
      let added = 0;
      for (const u of batch) {
        const filesBefore = await files();
        const messagesBefore = await Message.countDocuments({ room });
        const res = await send(u);
        // Read right when the answer arrived: a refusal is sent only once its file is removed.
        const filesAfter = await files();
        const what = `${JSON.stringify({ ...u, parts: u.parts.map((p) => ({ ...p })) }).slice(0, 400)} → ${res.status}`;
        if (res.status >= 500) throw new Error(`${what}: ${res.text.slice(0, 300)}`);
        if (res.status === 201) {
          // Received, then stored by content (a GIF stored before is not stored twice).
          const name = String((res.body as { gif: string }).gif).replace('/gif/', '');
          expect(filesAfter).toContain(name);
          // Its temp file stays while its poster and video are made from it (after the answer),
          // then goes; so the next upload starts from settled files.
          const received = filesBefore.filter((f) => f.startsWith('.incoming/')).join();
          await eventually(async () => (await incoming()).join() === received, {
            what: 'the temp file of an accepted upload removed once its media are made',
          });
          expect(await Message.countDocuments({ room })).toBe(messagesBefore + 1);
          added++;
          continue;
        }
        expect(res.status).toBeGreaterThanOrEqual(400);
        const body = res.body as { ok?: boolean; error?: { code?: unknown } };
        if (body.ok !== false || !isErrorCode(body.error?.code))
          throw new Error(`${what}: refusal without a known code: ${res.text.slice(0, 200)}`);
        if (filesAfter.join() !== filesBefore.join())
          throw new Error(
            `${what}: files left behind: ${filesAfter.filter((f) => !filesBefore.includes(f)).join()}`,
          );
        expect(await Message.countDocuments({ room })).toBe(messagesBefore);
      }
      accepted += added;
      const after = await snapshot();
      expect(unchanged(after)).toEqual(unchanged(before));
      expect(after.messages!.length).toBe(before.messages!.length + added);
    }),
    { numRuns: 40 },
  );
  expect(escapes.escaped).toEqual([]);
  expect(sent - accepted).toBeGreaterThan(200);
});

describe('no file left behind (the first found by the fuzzer)', () => {
  const refusedCleanly = async (u: Upload, status: number) => {
    const before = await files();
    const res = await send(u);
    expect(res.status).toBe(status);
    expect(await files()).toEqual(before);
  };
  const gifPart: Part = { name: 'gif', filename: 'a.gif', type: 'image/gif', content: 'gif' };
  const whole = { boundary: 'fuzzboundary', bodyBoundary: 'fuzzboundary', keep: 1 };

  test('a body cut before its closing boundary is refused once its file is removed', async () => {
    for (let i = 0; i < 5; i++)
      await refusedCleanly({ ...whole, parts: [gifPart], closing: false }, 400);
  });

  test('an upload whose client goes away half-way leaves no file', async () => {
    const before = await incoming();
    const head = Buffer.from(
      '--fuzzboundary\r\nContent-Disposition: form-data; name="gif"; filename="a.gif"\r\n' +
        'Content-Type: image/gif\r\n\r\nGIF89a',
    );
    const { port } = new URL(h.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      [
        `POST /room/${room}/gif HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        `Cookie: ${owner.cookie}`,
        `x-csrf-token: ${owner.csrf}`,
        'Content-Type: multipart/form-data; boundary=fuzzboundary',
        `Content-Length: ${head.length + 10_000}`,
        '',
        '',
      ].join('\r\n'),
    );
    try {
      socket.write(head);
      socket.write(Buffer.alloc(4000, 1));
      // The file is being received; then the client is gone.
      await eventually(async () => (await incoming()).length > before.length);
    } finally {
      socket.destroy();
    }
    await eventually(async () => (await incoming()).join() === before.join());
  });

  test('a second file is refused once the first one is removed', async () => {
    for (let i = 0; i < 5; i++)
      await refusedCleanly({ ...whole, parts: [gifPart, gifPart], closing: true }, 400);
  });
});
