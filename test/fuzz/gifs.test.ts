import fc from 'fast-check';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import type { RoomId } from '../../src/lib/room-id';
import { Message } from '../../src/models/message.model';
import { craftGif } from '../media/fixtures';
import {
  fitsOnePacket,
  hostileString,
  hostileValue,
  isErrorCode,
  watchEscapes,
} from '../support/fuzz';
import { ask, startHarness, type Harness, type Visitor } from '../support/harness';

// Property runs make hundreds of requests: on a busy 2-core machine they take minutes, not seconds.
jest.setTimeout(240_000);

/*
 * The GIF routes and event, fed what a hostile client sends: the picker's query, re-sends by name
 * over HTTP (JSON and forms) and the socket. Never a 5xx or an escaped rejection; a refusal says a
 * known code; a re-send that is accepted is of a GIF the sender could see.
 */

let h: Harness;
const escapes = watchEscapes();
let member: Visitor;
let open: RoomId;
let secret: RoomId;
let seen: string;
let hidden: string;
let socket: Socket;

beforeAll(async () => {
  h = await startHarness({ MESSAGES_PER_10S: 100_000 });
  member = await h.visitor();
  const owner = await h.visitor();
  open = await member.createRoom({ title: 'open' });
  secret = await owner.createRoom({ title: 'secret', password: 'right password' });
  const upload = async (v: Visitor, room: RoomId, bytes: Buffer) =>
    (
      await v.agent
        .post(`/room/${room}/gif`)
        .set('x-csrf-token', v.csrf)
        .attach('gif', bytes, { filename: 'x.gif', contentType: 'image/gif' })
        .expect(201)
    ).body.gif as string;
  seen = await upload(member, open, craftGif(3, 3, 2));
  hidden = await upload(owner, secret, craftGif(4, 4, 2));
  socket = await member.socket();
  expect((await ask(socket, 'join', { room: open, after: 0 })).ok).toBe(true);
});
afterAll(async () => {
  escapes.stop();
  await h.close();
});

/** Names as a client could send them: the real ones in every spelling, and anything else. */
const name = fc.oneof(
  fc
    .constantFrom(
      () => seen,
      () => hidden,
    )
    .chain((get) =>
      fc.constantFrom(get(), get().slice(5), get().slice(5, 37), get().toUpperCase()),
    ),
  fc.constantFrom('f'.repeat(32), `${'a'.repeat(64)}.gif`, '../x.gif', '', '/gif/'),
  hostileString,
  hostileValue,
);
const cid = fc.oneof(fc.constant(undefined), fc.constantFrom('abcdefgh12'), hostileString);

const refusalOk = (status: number, body: { error?: { code?: unknown } }) =>
  status < 500 && (status < 400 || isErrorCode(body.error?.code));

/** An accepted re-send must be of the GIF everyone in this room could see, never the secret one. */
async function acceptedOnlySeen(): Promise<void> {
  expect(await Message.countDocuments({ room: open, gif: hidden })).toBe(0);
}

test('GET /gifs with any query answers, refusing by code, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(
        fc.constantFrom('tab', 'q', 'room', 'x', 'tab[]'),
        fc.oneof(
          fc.constantFrom('recent', 'popular', open, secret, 'a'.repeat(24)),
          // Longer request lines are refused by Node itself (431) before the app sees them.
          hostileString.map((s) => s.slice(0, 200)),
        ),
        { maxKeys: 4 },
      ),
      fc.boolean(),
      async (query, asMember) => {
        const agent = asMember ? member.agent : request(h.app);
        const res = await agent.get('/gifs').query(query).set('accept', 'application/json');
        expect(refusalOk(res.status, res.body)).toBe(true);
        if (res.status === 200) {
          const names = (res.body.items as { gif: string }[]).map((i) => i.gif);
          expect(names).not.toContain(hidden);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('re-sends by name over HTTP refuse by code and only ever send what could be seen', async () => {
  await fc.assert(
    fc.asyncProperty(name, cid, fc.boolean(), async (gif, id, asForm) => {
      const req = member.agent
        .post(`/room/${open}/gif`)
        .set('x-csrf-token', member.csrf)
        .set('accept', 'application/json');
      const body = { gif, ...(id !== undefined && { cid: id }) };
      const res = asForm
        ? await req.type('form').send(body as Record<string, string>)
        : await req.set('content-type', 'application/json').send(JSON.stringify(body));
      expect(refusalOk(res.status, res.body)).toBe(true);
      if (res.status === 201) expect(res.body.gif).toBe(seen);
    }),
    { numRuns: 150 },
  );
  await acceptedOnlySeen();
  expect(escapes.escaped).toEqual([]);
});

test('the socket `gif` event refuses by code and only ever sends what could be seen', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(hostileValue, fc.record({ name, cid })).filter(fitsOnePacket),
      async (payload) => {
        const reply = await ask<{ gif: string }>(socket, 'gif', payload);
        if (reply.ok) expect(reply.data?.gif).toBe(seen);
        else expect(isErrorCode(reply.error?.code)).toBe(true);
        expect(reply.error?.code).not.toBe('internal');
      },
    ),
    { numRuns: 150 },
  );
  await acceptedOnlySeen();
  expect(escapes.escaped).toEqual([]);
});
