import fc from 'fast-check';
import mongoose from 'mongoose';
import request from 'supertest';
import type { RoomId } from '../../src/lib/room-id';
import { SESSION_COOKIE } from '../../src/http/session';
import { LIMITS } from '../../src/limits';
import { startHarness, type Harness, type Visitor } from '../support/harness';
import {
  hostileString,
  hostileValue,
  shortHostileString,
  isErrorCode,
  snapshot,
  watchEscapes,
} from '../support/fuzz';

// Property runs make hundreds of requests: on a busy 2-core machine they take minutes, not seconds.
jest.setTimeout(240_000);

/*
 * Every HTTP route, fed what a hostile client sends: any method, ids of every shape, junk query
 * strings, bodies of every type under every content type, with and without a session and a CSRF
 * token. Never a 5xx, never an escaped rejection; a refusal is a 4xx that says why (JSON with a
 * known code, or a page) and changes nothing stored.
 */

let h: Harness;
const escapes = watchEscapes();
/** The people and rooms the requests are about; made again if a request removed a room. */
let member: Visitor;
let stranger: Visitor;
let open: RoomId;
let locked: RoomId;
let sent = 0;

beforeAll(async () => {
  // Budgets high enough that most requests reach the checks behind them.
  h = await startHarness({
    SWEEP_INTERVAL_MS: 600_000,
    MESSAGES_PER_10S: 100_000,
    PASSWORD_ATTEMPTS_PER_MINUTE: 100_000,
  });
  await people();
});
afterAll(async () => {
  escapes.stop();
  await h.close();
});

/** A member of both rooms, new rooms, and a stranger to them. */
async function people(): Promise<void> {
  stranger = await h.visitor();
  member = await h.visitor();
  open = locked = '' as RoomId;
  await fixtures();
}

/** The member owns an open room and a secret one (and is seated in both). */
async function fixtures(): Promise<void> {
  const known = new Set(h.rooms.list().map((r) => r._id));
  if (!open || !known.has(open)) open = await member.createRoom({ title: 'fuzzed' });
  if (!locked || !known.has(locked))
    locked = await member.createRoom({ title: 'fuzzed secret', password: 'right password' });
}

const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];

const ROUTES = [
  '/',
  '/healthz',
  '/room',
  '/room/:id',
  '/room/:id/password',
  '/room/:id/chats',
  '/room/:id/chat',
  '/room/:id/gif',
  '/room/:id/settings',
  '/room/:id/mute',
  '/room/:id/messages/:junk',
  '/room/:id/messages/:junk/reactions',
  '/room/:id/messages/:junk/report',
  '/room/:id/reports',
  '/room/:id/reports/:junk',
  '/ignore',
  '/gif/:junk',
  '/static/:junk',
  '/js/:junk',
  '/:junk',
  '/room/:id/:junk',
  '/gifs',
] as const;

/** A path segment as a client may send it: encoded, or raw bytes a browser would not send. */
const segment = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%BD'; // a lone surrogate, UTF-8 encoded as such
  }
};

type IdShape = 'open' | 'OPEN' | 'locked' | 'unknown' | { raw: string } | { text: string };
const idShape: fc.Arbitrary<IdShape> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<IdShape>('open') },
  { weight: 3, arbitrary: fc.constantFrom<IdShape>('OPEN', 'locked', 'unknown') },
  fc.constantFrom('%E0%A4%A', '%', '%00', '..%2F..%2F', '.', '..', 'a%2Fb').map((raw) => ({ raw })),
  shortHostileString.map((text) => ({ text })),
);

type Who = 'nobody' | 'member' | 'stranger' | 'forged' | 'probe';
type Csrf = 'valid' | 'foreign' | 'missing' | 'garbage' | 'field';
type Accept = 'json' | 'html' | 'any' | 'none' | 'xhr';

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; type: string | undefined; text: string }
  | { kind: 'form'; fields: Record<string, unknown> }
  | { kind: 'multipart'; fields: Record<string, unknown> };

interface Req {
  method: Method;
  route: (typeof ROUTES)[number];
  id: IdShape;
  junk: string;
  query: [string, string][];
  who: Who;
  csrf: Csrf;
  accept: Accept;
  body: Body;
}

const FIELDS = ['title', 'max', 'password', 'chat', 'cid', 'before', 'gif', '_csrf'] as const;
/** Values that pass a field's check, so requests also get past the first check to later ones. */
const VALID: Record<string, unknown[]> = {
  title: ['a title', '😀'.repeat(30), 'é'.repeat(LIMITS.title.max)],
  max: [2, '10', 100],
  password: ['right password', 'wrong password'],
  chat: ['hello', 'x'.repeat(LIMITS.chat.max)],
  cid: ['abcdefgh12', 'A_-'.repeat(10)],
  before: [1, '5'],
  gif: ['0123456789abcdef0123456789abcdef', '/gif/0123456789abcdef0123456789abcdef.gif'],
};

const fields: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.subarray([...FIELDS]),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'x', '[]', 'chat[0]'), hostileValue, {
      maxKeys: 2,
    }),
  )
  .chain(([names, extra]) =>
    fc
      .tuple(
        ...names.map((name) => fc.oneof(fc.constantFrom(...(VALID[name] ?? [''])), hostileValue)),
      )
      .map((values) => {
        const out: Record<string, unknown> = { ...extra };
        names.forEach((name, i) =>
          Object.defineProperty(out, name, { value: values[i], enumerable: true }),
        );
        return out;
      }),
  );

const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant<Body>({ kind: 'none' }),
  fields.map((v): Body => ({ kind: 'json', value: v })),
  hostileValue.map((value): Body => ({ kind: 'json', value })),
  fields.map((f): Body => ({ kind: 'form', fields: f })),
  fields.map((f): Body => ({ kind: 'multipart', fields: f })),
  fc
    .record({
      type: fc.constantFrom(
        undefined,
        'application/json',
        'application/json; charset=utf-7',
        'application/x-www-form-urlencoded',
        'application/x-www-form-urlencoded; charset=koi8-r',
        'text/plain',
        'text/html',
        'application/xml',
        'multipart/form-data',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'image/gif',
        ';;;',
      ),
      text: fc.oneof(
        hostileString,
        fc.constantFrom(
          '{',
          '[]',
          '"text"',
          'null',
          '1e999',
          '{"chat":',
          '{"__proto__":{"polluted":true},"chat":"hi"}',
          '{"constructor":{"prototype":{"polluted":true}}}',
          '{"chat":"a","chat":"b"}',
          '['.repeat(5_000),
          'chat=a&chat=b&chat=c',
          '__proto__[polluted]=1&title=x',
          'title=%E0%A4%A&max=%',
          `${'a='.repeat(50)}&b=1`,
          'GIF89a\u0000\u0000',
        ),
      ),
    })
    .map((r): Body => ({ kind: 'raw', ...r })),
);

const queryKey = fc.oneof(
  fc.constantFrom(
    'before',
    'q',
    'sort',
    'full',
    'page',
    'tab',
    'room',
    '__proto__',
    '__proto__[x]',
    'a[]',
  ),
  fc.string({ maxLength: 6 }),
);
const queryValue = fc.oneof(
  fc.constantFrom(
    ...['1', '0', '-1', '1.5', 'new', 'people', 'hide', 'show', '9007199254740993'],
    ...['recent', 'popular', '0123456789abcdef01234567'],
  ),
  shortHostileString,
);

/** The methods each route answers; most requests use one of them, the rest any method. */
const ANSWERS: Record<(typeof ROUTES)[number], Method[]> = {
  '/': ['GET'],
  '/healthz': ['GET'],
  '/room': ['GET', 'POST'],
  // Mostly pages: a member's DELETE removes the room the next requests are about.
  '/room/:id': ['GET', 'GET', 'GET', 'DELETE'],
  '/room/:id/password': ['POST'],
  '/room/:id/chats': ['GET'],
  '/room/:id/chat': ['POST'],
  '/room/:id/gif': ['POST'],
  '/room/:id/settings': ['POST'],
  '/room/:id/mute': ['POST'],
  '/room/:id/messages/:junk': ['PATCH', 'DELETE'],
  '/room/:id/messages/:junk/reactions': ['POST'],
  '/room/:id/messages/:junk/report': ['POST'],
  '/room/:id/reports': ['GET'],
  '/room/:id/reports/:junk': ['POST'],
  '/ignore': ['POST'],
  '/gif/:junk': ['GET'],
  '/static/:junk': ['GET'],
  '/js/:junk': ['GET'],
  '/:junk': ['GET'],
  '/room/:id/:junk': ['GET', 'POST'],
  '/gifs': ['GET'],
};

const req: fc.Arbitrary<Req> = fc.constantFrom(...ROUTES).chain((route) =>
  fc.record({
    route: fc.constant(route),
    method: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...ANSWERS[route]) },
      { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
    ),
    id: idShape,
    junk: shortHostileString,
    query: fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }),
    who: fc.oneof(
      { weight: 5, arbitrary: fc.constant<Who>('member') },
      { weight: 2, arbitrary: fc.constant<Who>('stranger') },
      { weight: 2, arbitrary: fc.constantFrom<Who>('nobody', 'forged', 'probe') },
    ),
    csrf: fc.oneof(
      { weight: 5, arbitrary: fc.constant<Csrf>('valid') },
      { weight: 1, arbitrary: fc.constant<Csrf>('field') },
      { weight: 2, arbitrary: fc.constantFrom<Csrf>('foreign', 'missing', 'garbage') },
    ),
    accept: fc.constantFrom<Accept>('json', 'html', 'any', 'none', 'xhr'),
    body,
  }),
);

function pathOf(r: Req): string {
  const id =
    r.id === 'open'
      ? open
      : r.id === 'OPEN'
        ? open.toUpperCase()
        : r.id === 'locked'
          ? locked
          : r.id === 'unknown'
            ? '0123456789abcdef01234567'
            : 'raw' in r.id
              ? r.id.raw
              : segment(r.id.text);
  const path = r.route.replace(':id', id).replace(':junk', segment(r.junk) || 'x');
  const query = r.query.map(([k, v]) => `${segment(k)}=${segment(v)}`).join('&');
  return query ? `${path}?${query}` : path;
}

const COOKIES: Record<Who, () => string> = {
  nobody: () => '',
  member: () => member.cookie,
  stranger: () => stranger.cookie,
  forged: () => 'gifchat.sid=s%3Aforged.c2lnbmF0dXJl',
  probe: () => 'gifchat.hello=1',
};

const tokenOf = (r: Req): string | undefined =>
  ({
    valid: r.who === 'stranger' ? stranger.csrf : member.csrf,
    foreign: r.who === 'stranger' ? member.csrf : stranger.csrf,
    missing: undefined,
    garbage: 'not-a-token',
    field: undefined,
  })[r.csrf];

/** Form fields as a client would flatten them: arrays repeat the key, objects nest it. */
function flatten(fields: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(fields).flatMap(([k, v]): [string, string][] => {
    const name = prefix ? `${prefix}[${k}]` : k;
    if (Array.isArray(v))
      return v.flatMap((item) =>
        flatten({ '': item }, name).map(([, s]) => [name, s] as [string, string]),
      );
    if (v && typeof v === 'object') return flatten(v as Record<string, unknown>, name);
    return [[name, String(v)]];
  });
}

const ACCEPT: Record<Accept, Record<string, string>> = {
  json: { accept: 'application/json' },
  html: { accept: 'text/html' },
  any: { accept: '*/*' },
  none: {},
  xhr: { 'x-requested-with': 'XMLHttpRequest' },
};

async function send(r: Req): Promise<request.Response> {
  sent++;
  const method = r.method.toLowerCase() as Lowercase<Method>;
  let test = request(h.url)
    [method](pathOf(r))
    .redirects(0)
    .ok(() => true);
  const cookie = COOKIES[r.who]();
  if (cookie) test = test.set('Cookie', cookie);
  const token = tokenOf(r);
  if (token) test = test.set('x-csrf-token', token);
  for (const [k, v] of Object.entries(ACCEPT[r.accept])) test = test.set(k, v);
  const withToken = (f: Record<string, unknown>) =>
    r.csrf === 'field' ? { ...f, _csrf: r.who === 'stranger' ? stranger.csrf : member.csrf } : f;
  const b = r.body;
  switch (b.kind) {
    case 'none':
      return test;
    case 'json':
      return test
        .set('Content-Type', 'application/json')
        .send(
          JSON.stringify(
            b.value && typeof b.value === 'object' && !Array.isArray(b.value)
              ? withToken(b.value as Record<string, unknown>)
              : b.value,
          ) ?? 'null',
        );
    case 'form':
      return test.set('Content-Type', 'application/x-www-form-urlencoded').send(
        flatten(withToken(b.fields))
          .map(([k, v]) => `${segment(k)}=${segment(v)}`)
          .join('&'),
      );
    case 'multipart':
      for (const [k, v] of flatten(withToken(b.fields))) test = test.field(k || 'x', v);
      return test;
    case 'raw':
      if (b.type) test = test.set('Content-Type', b.type);
      return test.send(b.text);
  }
}

/** What every response must be: below 500; a refusal says why, in JSON or as a page. */
function check(r: Req, res: request.Response): void {
  const where = `${r.method} ${pathOf(r).slice(0, 200)} → ${res.status}`;
  if (res.status >= 500) throw new Error(`${where}: ${res.text.slice(0, 300)}`);
  // Node's own parser answers headers over its 16 KB limit before the app sees the request.
  if (res.status < 400 || r.method === 'HEAD' || (res.status === 431 && !res.text)) return;
  const type = String(res.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) {
    const body = res.body as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
    if (
      body.ok !== false ||
      !isErrorCode(body.error?.code) ||
      typeof body.error?.message !== 'string'
    )
      throw new Error(`${where}: refusal without a known code: ${res.text.slice(0, 300)}`);
  } else if (!type.startsWith('text/html') || !/<html/i.test(res.text)) {
    throw new Error(`${where}: refusal neither JSON nor a page (${type})`);
  }
}

test('no request, however malformed, gets a 5xx or leaves an error unhandled', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(req, { minLength: 20, maxLength: 40 }), async (batch) => {
      await fixtures();
      for (const r of batch) {
        const res = await send(r);
        check(r, res);
      }
    }),
    { numRuns: 70 },
  );
  expect(escapes.escaped).toEqual([]);
  expect(sent).toBeGreaterThan(1500);
});

/*
 * Requests refused by construction: no valid token, someone who is not in the room or does not own
 * it, a room that does not exist, or one field that cannot pass. Each must be a 4xx, and a batch
 * of them must leave every stored document as it was.
 */
const invalidText = (max: number) =>
  fc.constantFrom('', '   ', '\n\t', 'x'.repeat(max + 1), '😀'.repeat(max + 1));
/** Invalid however the body is encoded (a number is a valid text once a form sends it). */
const invalidAnywhere = (max: number) =>
  fc.oneof(invalidText(max), fc.array(shortHostileString, { minLength: 2, maxLength: 3 }));
/** Invalid in JSON, where types survive. */
const invalidJson = (max: number) =>
  fc.oneof(invalidAnywhere(max), fc.constantFrom(null, 0, 42, true, {}, { $gt: '' }, ['one']));
const badCid = fc.oneof(
  fc.constantFrom('short', 'has space here', 'x'.repeat(65), '../../etc', 'é'.repeat(10)),
  fc.array(fc.constant('abcdefgh12'), { minLength: 2, maxLength: 2 }),
);

/** A body with one field that cannot pass (`bad`), others valid or absent. */
const oneBadField = (
  bad: Record<string, { json: fc.Arbitrary<unknown>; form: fc.Arbitrary<unknown> }>,
  valid: Record<string, unknown>,
): fc.Arbitrary<Body> =>
  fc
    .record({
      field: fc.constantFrom(...Object.keys(bad)),
      kind: fc.constantFrom('json' as const, 'form' as const),
      others: fc.subarray(Object.keys(valid)),
    })
    .chain(({ field, kind, others }) =>
      bad[field]![kind].map((value): Body => {
        const fields: Record<string, unknown> = {};
        for (const o of others) fields[o] = valid[o];
        Object.defineProperty(fields, field, { value, enumerable: true });
        return kind === 'json' ? { kind, value: fields } : { kind, fields };
      }),
    );

const refusedReq: fc.Arbitrary<Req> = fc.oneof(
  // No token that belongs to the session.
  fc
    .tuple(
      req,
      fc.constantFrom<Method>('POST', 'DELETE', 'PUT', 'PATCH'),
      fc.constantFrom<Csrf>('missing', 'garbage', 'foreign'),
    )
    .map(([r, method, csrf]): Req => ({ ...r, method, csrf })),
  // Someone who is not in the room, or does not own it.
  fc
    .record({
      method: fc.constantFrom<Method>('POST', 'DELETE', 'GET'),
      route: fc.constantFrom(
        '/room/:id/chat' as const,
        '/room/:id' as const,
        '/room/:id/chats' as const,
        '/room/:id/gif' as const,
      ),
      id: fc.constantFrom<IdShape>('open', 'locked'),
      junk: fc.constant('x'),
      query: fc.constant<[string, string][]>([]),
      who: fc.constant<Who>('stranger'),
      csrf: fc.constant<Csrf>('valid'),
      accept: fc.constant<Accept>('json'),
      body: fc.constant<Body>({ kind: 'json', value: { chat: 'let me in' } }),
    })
    .filter((r) =>
      r.route === '/room/:id'
        ? r.method === 'DELETE'
        : r.route === '/room/:id/chats'
          ? r.method === 'GET'
          : r.method === 'POST',
    ),
  // A room that does not exist, however its id is written.
  fc.record({
    method: fc.constantFrom<Method>('POST', 'DELETE'),
    route: fc.constantFrom(
      '/room/:id/chat' as const,
      '/room/:id' as const,
      '/room/:id/password' as const,
      '/room/:id/gif' as const,
    ),
    id: fc.oneof(
      fc.constant<IdShape>('unknown'),
      shortHostileString.map((text): IdShape => ({ text })),
    ),
    junk: fc.constant('x'),
    query: fc.constant<[string, string][]>([]),
    who: fc.constantFrom<Who>('member', 'stranger'),
    csrf: fc.constant<Csrf>('valid'),
    accept: fc.constantFrom<Accept>('json', 'html'),
    body: fc.constant<Body>({ kind: 'json', value: { chat: 'hello', password: 'right password' } }),
  }),
  // One field that cannot pass.
  fc.record({
    method: fc.constant<Method>('POST'),
    route: fc.constant('/room/:id/chat' as const),
    id: fc.constantFrom<IdShape>('open', 'OPEN'),
    junk: fc.constant('x'),
    query: fc.constant<[string, string][]>([]),
    who: fc.constant<Who>('member'),
    csrf: fc.constantFrom<Csrf>('valid', 'field'),
    accept: fc.constantFrom<Accept>('json', 'html', 'none'),
    body: oneBadField(
      {
        chat: { json: invalidJson(LIMITS.chat.max), form: invalidAnywhere(LIMITS.chat.max) },
        cid: { json: badCid, form: badCid },
      },
      { chat: 'hello', cid: 'abcdefgh12' },
    ),
  }),
  fc.record({
    method: fc.constant<Method>('POST'),
    route: fc.constant('/room' as const),
    id: fc.constant<IdShape>('open'),
    junk: fc.constant('x'),
    query: fc.constant<[string, string][]>([]),
    who: fc.constantFrom<Who>('member', 'stranger'),
    csrf: fc.constantFrom<Csrf>('valid', 'field'),
    accept: fc.constantFrom<Accept>('json', 'html', 'none'),
    body: oneBadField(
      {
        title: { json: invalidJson(LIMITS.title.max), form: invalidAnywhere(LIMITS.title.max) },
        max: {
          json: fc.constantFrom(1, 101, 2.5, -1, 'abc', '1e3', true, [], {}),
          form: fc.constantFrom('1', '101', '2.5', '-1', 'abc', '1e3', 'ten'),
        },
        password: {
          json: fc.constantFrom('p'.repeat(LIMITS.password.max + 1), 42, ['a', 'b'], {}),
          form: fc.constantFrom('p'.repeat(LIMITS.password.max + 1)),
        },
      },
      { title: 'never made', max: 10, password: 'pw' },
    ),
  }),
  fc
    .record({
      method: fc.constant<Method>('POST'),
      route: fc.constant('/room/:id/password' as const),
      id: fc.constantFrom<IdShape>('locked', 'OPEN'),
      junk: fc.constant('x'),
      query: fc.constant<[string, string][]>([]),
      who: fc.constantFrom<Who>('member', 'stranger'),
      csrf: fc.constant<Csrf>('valid'),
      accept: fc.constantFrom<Accept>('json', 'html'),
      body: fc.oneof(
        oneBadField(
          {
            password: {
              json: fc.constantFrom('', 'p'.repeat(LIMITS.password.max + 1), 42, null, ['a', 'b']),
              form: fc.constantFrom('', 'p'.repeat(LIMITS.password.max + 1)),
            },
          },
          {},
        ),
        fc.constant<Body>({ kind: 'json', value: { password: 'wrong password' } }),
      ),
    })
    .filter(
      (r) =>
        r.id === 'locked' ||
        r.body.kind !== 'json' ||
        (r.body.value as { password?: unknown }).password !== 'wrong password',
    ),
);

test('refused requests are 4xx and change nothing stored', async () => {
  // New people and rooms: the stranger of the first test may have entered the room since.
  await people();
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(refusedReq, { minLength: 10, maxLength: 30 }), async (batch) => {
      await fixtures();
      const before = await snapshot();
      const responses = await Promise.all(batch.map(send));
      responses.forEach((res, i) => {
        check(batch[i]!, res);
        if (res.status < 400 || res.status >= 500)
          throw new Error(
            `${batch[i]!.method} ${pathOf(batch[i]!)} was not refused: ${res.status}`,
          );
      });
      refused += batch.length;
      expect(await snapshot()).toEqual(before);
    }),
    { numRuns: 30 },
  );
  expect(escapes.escaped).toEqual([]);
  expect(refused).toBeGreaterThan(400);
});

test('a visitor who brings no cookie stores nothing and is given no session, whatever they ask', async () => {
  const sessions = () => mongoose.connection.collection('sessions').countDocuments();
  await fc.assert(
    fc.asyncProperty(fc.array(req, { minLength: 5, maxLength: 20 }), async (batch) => {
      await fixtures();
      const before = await sessions();
      for (const r of batch) {
        const res = await send({ ...r, who: 'nobody' });
        check(r, res);
        const cookies = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
        if (cookies.some((c) => c.startsWith(`${SESSION_COOKIE}=`)))
          throw new Error(`${r.method} ${pathOf(r).slice(0, 200)} gave a session to no one`);
      }
      expect(await sessions()).toBe(before);
    }),
    { numRuns: 20 },
  );
});

describe('found by the fuzzer', () => {
  test('a title of 60 emoji (120 UTF-16 units) is 60 characters: the room is made, not a 500', async () => {
    const title = '😀'.repeat(LIMITS.title.max);
    const made = await member.agent
      .post('/room')
      .set('x-csrf-token', member.csrf)
      .type('form')
      .send({ title, max: 10 });
    expect(made.status).toBe(303);
    const id = String(made.headers.location).split('/').pop() as RoomId;
    expect(h.rooms.view(id).title).toBe(title);
    const tooLong = await member.agent
      .post('/room')
      .set('x-csrf-token', member.csrf)
      .set('accept', 'application/json')
      .send({ title: `${title}😀` });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({ code: 'text_too_long', params: { max: 60 } });
  });
});

test('the GIF picker and a history page asked for without a cookie store no session', async () => {
  const sessions = () => mongoose.connection.collection('sessions').countDocuments();
  const before = await sessions();
  for (const path of ['/gifs', '/gifs?tab=popular', '/room/0123456789abcdef01234567/chats']) {
    const res = await request(h.url).get(path).redirects(0);
    expect(res.status).toBeLessThan(500);
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain(SESSION_COOKIE);
  }
  expect(await sessions()).toBe(before);
});
