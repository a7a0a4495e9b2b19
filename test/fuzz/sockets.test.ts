import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import type { RoomId } from '../../src/lib/room-id';
import type { Result } from '../../src/sockets/events';
import { LIMITS } from '../../src/limits';
import { ask, closeTab, next, startHarness, type Harness, type Visitor } from '../support/harness';
import {
  hostileValue,
  isErrorCode,
  shortHostileString,
  fitsOnePacket,
  snapshot,
  watchEscapes,
} from '../support/fuzz';

// Property runs make hundreds of requests: on a busy 2-core machine they take minutes, not seconds.
jest.setTimeout(240_000);

/*
 * Every /chat event (and junk on /room), with payloads of every shape — missing, null, numbers,
 * long strings, nested objects, an acknowledgement or not, extra arguments — in random order from
 * people in the room, outside it and without a session. Every event that can be acknowledged is
 * answered (ok, or a refusal with a known code, never `internal`), nothing escapes, the server
 * stays up, and refused events change nothing stored.
 */

let h: Harness;
const escapes = watchEscapes();
let sentCount = 0;

beforeAll(async () => {
  // Budgets high enough that most events reach the checks behind them.
  h = await startHarness({
    MESSAGES_PER_10S: 100_000,
    NICKS_PER_MINUTE: 100_000,
    JOINS_PER_MINUTE: 100_000,
    TYPING_PER_10S: 100_000,
    PRESENCE_GRACE_MS: 30,
    // Rooms emptied by earlier scenarios stay until the end: no removal lands in a later batch.
    ROOM_GRACE_MS: 600_000,
    SWEEP_INTERVAL_MS: 600_000,
  });
});
afterAll(async () => {
  escapes.stop();
  await h.close();
});

const EVENTS = [
  'join',
  'leave',
  'chat',
  'gif',
  'typing',
  'nick',
  'whisper',
  'kick',
  'handover',
] as const;
/** Events answered through an acknowledgement (`typing` never is, unknown events neither). */
const ACKNOWLEDGED = new Set<string>(EVENTS.filter((e) => e !== 'typing'));
const OTHER_EVENTS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'exit',
  'removeRoom',
  'x',
];

/** The people of one scenario, each with a tab: the room's owner, a guest, a stranger, nobody. */
interface Cast {
  room: RoomId;
  other: RoomId;
  ownerPid: string;
  guestPid: string;
  tabs: Socket[];
}
const WHO = ['owner', 'guest', 'stranger', 'nobody', 'forged'] as const;

async function cast(): Promise<Cast> {
  const owner = await h.visitor();
  const guest = await h.visitor();
  const stranger = await h.visitor();
  const room = await owner.createRoom({ title: 'fuzzed' });
  const other = await stranger.createRoom({ title: 'elsewhere' });
  const tabs = [
    await owner.socket(),
    await guest.socket(),
    await stranger.socket(),
    await h.tab(''),
    await h.tab('gifchat.sid=s%3Aforged.c2lnbmF0dXJl'),
  ];
  const ownerPid = (await joined(tabs[0]!, room)).pid;
  const guestPid = (await joined(tabs[1]!, room)).pid;
  return { room, other, ownerPid, guestPid, tabs };
}

async function joined(tab: Socket, room: string): Promise<{ pid: string }> {
  const res = await ask<{ pid: string }>(tab, 'join', room);
  if (!res.ok) throw new Error(`join refused: ${JSON.stringify(res.error)}`);
  return res.data!;
}

/** Values standing for the scenario's own ids, filled in when the event is sent. */
type Ref = { ref: 'room' | 'ROOM' | 'other' | 'ownerPid' | 'guestPid' };
const ref = (r: Ref['ref']): Ref => ({ ref: r });
const isRef = (v: unknown): v is Ref =>
  typeof v === 'object' && v !== null && 'ref' in v && Object.keys(v).length === 1;

const roomValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(ref('room'), ref('ROOM'), ref('other')) },
  { weight: 2, arbitrary: hostileValue },
);
const pidValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(ref('ownerPid'), ref('guestPid')) },
  { weight: 2, arbitrary: hostileValue },
);
const textValue = fc.oneof(
  fc.constantFrom<unknown>('hello', 'x'.repeat(LIMITS.chat.max), '😀'.repeat(LIMITS.chat.max)),
  hostileValue,
);
const cidValue = fc.oneof(fc.constantFrom<unknown>(undefined, 'abcdefgh12'), hostileValue);

/** A payload shaped for the event (sometimes), or anything at all. */
const payloadFor: Record<(typeof EVENTS)[number], fc.Arbitrary<unknown>> = {
  join: fc.oneof(
    roomValue,
    fc.record({ room: roomValue, after: fc.oneof(fc.nat(), hostileValue) }, { requiredKeys: [] }),
  ),
  leave: hostileValue,
  chat: fc.record({ chat: textValue, cid: cidValue }, { requiredKeys: [] }),
  gif: fc.record(
    {
      name: fc.oneof(
        fc.constantFrom<unknown>('0123456789abcdef0123456789abcdef', '/gif/../../etc/passwd'),
        hostileValue,
      ),
      cid: cidValue,
    },
    { requiredKeys: [] },
  ),
  typing: fc.oneof(fc.boolean(), hostileValue),
  nick: fc.oneof(
    fc.constantFrom<unknown>('Alice', 'Bob', 'system', 'Аlice'),
    shortHostileString,
    hostileValue,
  ),
  whisper: fc.record({ to: pidValue, chat: textValue }, { requiredKeys: [] }),
  kick: fc.record({ pid: pidValue }, { requiredKeys: [] }),
  handover: fc.record({ pid: pidValue }, { requiredKeys: [] }),
};

interface Emit {
  tab: number;
  event: string;
  /** Arguments before the acknowledgement (an empty list: the event has no payload). */
  args: unknown[];
  /** Whether an acknowledgement goes last (the client then expects an answer). */
  ack: boolean;
}

const emit: fc.Arbitrary<Emit> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(...EVENTS).chain((event) =>
      fc.record({
        tab: fc.nat({ max: WHO.length - 1 }),
        event: fc.constant<string>(event),
        args: fc.oneof(
          { weight: 6, arbitrary: payloadFor[event].map((p) => [p]) },
          { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
          { weight: 1, arbitrary: fc.tuple(payloadFor[event], hostileValue).map((a) => [...a]) },
        ),
        ack: fc.boolean(),
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      tab: fc.nat({ max: WHO.length - 1 }),
      event: fc.oneof(fc.constantFrom(...OTHER_EVENTS), fc.string({ maxLength: 10 })),
      args: fc.array(hostileValue, { maxLength: 2 }),
      ack: fc.boolean(),
    }),
  },
);

const fits = (e: Emit) => fitsOnePacket(e.args);

function fill(value: unknown, c: Cast): unknown {
  if (isRef(value))
    return {
      room: c.room,
      ROOM: c.room.toUpperCase(),
      other: c.other,
      ownerPid: c.ownerPid,
      guestPid: c.guestPid,
    }[value.ref];
  if (Array.isArray(value)) return value.map((v) => fill(v, c));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, c)]));
  return value;
}

interface Sent {
  e: Emit;
  /** Set when the answer came. */
  result?: Result<unknown>;
}

/**
 * Sends the events back to back, then on every tab one more event that is always refused. A tab's
 * events are handled in order and answered in order, so once that last answer is back, an event
 * of the tab that has no answer will never get one.
 */
async function play(c: Cast, emits: Emit[]): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (const e of emits) {
    const socket = c.tabs[e.tab]!;
    const args = e.args.map((a) => fill(a, c));
    sentCount++;
    if (!e.ack) {
      socket.emit(e.event, ...args);
      continue;
    }
    const record: Sent = { e };
    if (ACKNOWLEDGED.has(e.event)) sent.push(record);
    socket.emit(e.event, ...args, (result: Result<unknown>) => (record.result = result));
  }
  await Promise.all(c.tabs.map((tab) => ask(tab, 'chat', null)));
  return sent;
}

/** An answer is ok with data, or a refusal with a code the dictionaries know (never `internal`). */
function checkAnswer({ e, result }: Sent): void {
  const what = `${WHO[e.tab]} ${e.event}(${JSON.stringify(e.args).slice(0, 200)})`;
  if (!result) throw new Error(`${what} was never answered`);
  if (result?.ok === true && 'data' in result) return;
  if (
    result?.ok === false &&
    isErrorCode(result.error?.code) &&
    result.error.code !== 'internal' &&
    typeof result.error.message === 'string'
  )
    return;
  throw new Error(`${what} answered ${JSON.stringify(result).slice(0, 300)}`);
}

/** A normal visit still works: join, chat, and the room hears it. */
async function healthy(c: Cast): Promise<void> {
  const v: Visitor = await h.visitor();
  const tab = await v.socket();
  try {
    await joined(tab, c.room);
    const owner = c.tabs[0]!;
    // The owner's tab may have been kicked out or moved: put it back in the room to listen.
    const back = await ask(owner, 'join', c.room);
    const heard = back.ok ? next(owner, 'chat', (m) => m.chat === 'still fine') : undefined;
    const res = await ask(tab, 'chat', { chat: 'still fine' });
    expect(res).toMatchObject({ ok: true, data: { chat: 'still fine' } });
    if (heard) await heard;
  } finally {
    tab.disconnect();
  }
}

/** Closes the scenario's tabs and waits until the server has handled every close. */
async function close(c: Cast): Promise<void> {
  await Promise.all(c.tabs.filter((t) => t.connected).map((t) => closeTab(h, t)));
  await h.settled();
}

test('every event, however malformed and in whatever order, is answered; nothing escapes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(emit.filter(fits), { minLength: 20, maxLength: 50 }),
      async (emits) => {
        const c = await cast();
        try {
          (await play(c, emits)).forEach(checkAnswer);
          for (const t of c.tabs) expect(t.connected).toBe(true);
          await h.settled();
          await healthy(c);
        } finally {
          await close(c);
        }
      },
    ),
    { numRuns: 40 },
  );
  expect(escapes.escaped).toEqual([]);
  expect(sentCount).toBeGreaterThan(1000);
}, 120_000);

test('junk on the lobby namespace is ignored; the lobby still hears of new rooms', async () => {
  const lobby = await h.lobby();
  await fc.assert(
    fc.asyncProperty(fc.array(emit.filter(fits), { maxLength: 20 }), async (emits) => {
      for (const e of emits) lobby.emit(e.event, ...e.args, ...(e.ack ? [() => undefined] : []));
      sentCount += emits.length;
      const creator = await h.visitor();
      const heard = next<{ title: string }>(lobby, 'newRoom', (r) => r.title === 'lobby check');
      await creator.createRoom({ title: 'lobby check' });
      await heard;
    }),
    { numRuns: 10 },
  );
  expect(lobby.connected).toBe(true);
  lobby.disconnect();
  expect(escapes.escaped).toEqual([]);
});

/*
 * Events refused by construction: from tabs that are not in the room (or have no session), with
 * payloads no check lets through, aimed at no one or at the wrong one. Each is answered with a
 * refusal, and a batch of them leaves every stored document as it was.
 */
const OUTSIDERS = [2, 3, 4]; // stranger, nobody, forged
const INSIDERS = [0, 1]; // owner, guest
const notAnObject = fc.oneof(
  fc.constantFrom<unknown>(null, 0, 42, true, 'text', []),
  shortHostileString,
);
const badText = fc.oneof(
  fc.constantFrom<unknown>('', '   ', 'x'.repeat(LIMITS.chat.max + 1), null, 42, ['hi'], {}),
);
const badNick = fc.constantFrom<unknown>(
  '',
  '   ',
  'n'.repeat(LIMITS.nick.max + 1),
  'a\u0000b',
  'system',
  'ＳＹＳＴＥＭ',
  null,
  42,
  ['Alice'],
  { nick: 'Alice' },
);
const refusedEmit: fc.Arbitrary<Emit> = fc.oneof(
  // Anything but joining and leaving, from a tab that is in no room.
  fc.record({
    tab: fc.constantFrom(...OUTSIDERS),
    event: fc.constantFrom('chat', 'gif', 'whisper', 'kick', 'handover'),
    args: fc.oneof(
      fc
        .constantFrom('chat', 'gif', 'whisper', 'kick', 'handover')
        .chain((e) => payloadFor[e as (typeof EVENTS)[number]].map((p) => [p])),
      hostileValue.map((v) => [v]),
    ),
    ack: fc.constant(true),
  }),
  // Joining something that is not a room, or a room that does not exist.
  fc.record({
    tab: fc.constantFrom(...OUTSIDERS, ...INSIDERS),
    event: fc.constant('join'),
    args: fc
      .oneof(
        notAnObject.filter((v) => typeof v !== 'string' || !/^[0-9a-f]{24}$/i.test(v)),
        fc.constantFrom<unknown>('0123456789abcdef01234567', { room: '0123456789abcdef01234567' }),
        fc.record({
          room: fc.constant<unknown>(ref('room')),
          after: fc.constantFrom<unknown>(-1, 1.5, 'x', null, 2 ** 64),
        }),
      )
      .map((p) => [p]),
    ack: fc.constant(true),
  }),
  // A name no check lets through, from anyone; any name from a tab without a session.
  fc.record({
    tab: fc.constantFrom(...OUTSIDERS, ...INSIDERS),
    event: fc.constant('nick'),
    args: badNick.map((n) => [n]),
    ack: fc.constant(true),
  }),
  fc.record({
    tab: fc.constantFrom(3, 4),
    event: fc.constant('nick'),
    args: fc.constant<unknown[]>(['Alice']),
    ack: fc.constant(true),
  }),
  // In the room, but the payload cannot pass, or aims at no one, at oneself, at the owner.
  fc.record({
    tab: fc.constantFrom(...INSIDERS),
    event: fc.constant('chat'),
    args: fc
      .oneof(
        notAnObject,
        badText.map((chat) => ({ chat })),
        fc.constantFrom('short', 'has space', 'x'.repeat(65)).map((cid) => ({ chat: 'hi', cid })),
      )
      .map((p) => [p]),
    ack: fc.constant(true),
  }),
  fc.record({
    tab: fc.constantFrom(...INSIDERS),
    event: fc.constant('whisper'),
    args: fc
      .oneof(
        notAnObject,
        badText.map((chat) => ({ to: ref('guestPid'), chat })),
        fc.constantFrom<unknown>('no-such-person', '', null).map((to) => ({ to, chat: 'psst' })),
      )
      .map((p) => [p]),
    ack: fc.constant(true),
  }),
  fc.constantFrom<Emit>(
    { tab: 0, event: 'whisper', args: [{ to: ref('ownerPid'), chat: 'me?' }], ack: true },
    { tab: 1, event: 'whisper', args: [{ to: ref('guestPid'), chat: 'me?' }], ack: true },
    { tab: 0, event: 'kick', args: [{ pid: ref('ownerPid') }], ack: true },
    { tab: 0, event: 'handover', args: [{ pid: ref('ownerPid') }], ack: true },
    { tab: 0, event: 'kick', args: [{ pid: 'no-such-person' }], ack: true },
    { tab: 0, event: 'handover', args: [{ pid: 'no-such-person' }], ack: true },
    { tab: 1, event: 'kick', args: [{ pid: ref('ownerPid') }], ack: true },
    { tab: 1, event: 'handover', args: [{ pid: ref('ownerPid') }], ack: true },
    { tab: 1, event: 'kick', args: [{}], ack: true },
    { tab: 0, event: 'handover', args: [null], ack: true },
  ),
);

test('refused events are refused and change nothing stored', async () => {
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(refusedEmit.filter(fits), { minLength: 10, maxLength: 40 }),
      async (emits) => {
        const c = await cast();
        try {
          const before = await snapshot();
          for (const answer of await play(c, emits)) {
            checkAnswer(answer);
            if (answer.result?.ok !== false)
              throw new Error(
                `${answer.e.event}(${JSON.stringify(answer.e.args)}) was not refused`,
              );
          }
          refused += emits.length;
          expect(await snapshot()).toEqual(before);
        } finally {
          await close(c);
        }
      },
    ),
    { numRuns: 20 },
  );
  expect(escapes.escaped).toEqual([]);
  expect(refused).toBeGreaterThan(300);
}, 120_000);

describe('found by the fuzzer', () => {
  test('an event with more arguments than it takes is still answered (the ack comes last)', async () => {
    const c = await cast();
    try {
      const answer = (event: string, ...args: unknown[]) =>
        new Promise<Result<unknown>>((resolve) => c.tabs[0]!.emit(event, ...args, resolve));
      expect(await answer('handover', {}, 'extra')).toMatchObject({
        ok: false,
        error: { code: 'field_invalid' },
      });
      expect(await answer('join', c.room, { after: 0 }, 42)).toMatchObject({
        ok: true,
        data: { room: c.room },
      });
      expect(await answer('leave', 'unexpected')).toEqual({ ok: true, data: null });
    } finally {
      await close(c);
    }
  });

  test('a refused switch to another room leaves the tab where it was', async () => {
    const c = await cast();
    try {
      const guest = c.tabs[1]!;
      const full = await (await h.visitor()).createRoom({ title: 'full', max: 2 });
      await joined(c.tabs[2]!, full);
      for (const target of ['0123456789abcdef01234567', full])
        expect((await ask(guest, 'join', target)).ok).toBe(false);
      await h.settled();
      expect(h.people.participants(c.room).map((p) => p.pid)).toContain(c.guestPid);
      expect(await ask(guest, 'chat', { chat: 'still here' })).toMatchObject({ ok: true });
    } finally {
      await close(c);
    }
  });
});
