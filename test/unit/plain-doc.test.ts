import fc from 'fast-check';
import { Schema, Types } from 'mongoose';
import { Message, SYSTEM_TEXT } from '../../src/models/message.model';
import { plainBuilder } from '../../src/models/plain-doc';

const build = plainBuilder(Message.schema);

/** What Mongoose makes of a draft: the document, or the validation error. */
async function throughMongoose(draft: object) {
  const doc = new Message(draft);
  try {
    await doc.validate();
    return { ok: true as const, value: doc.toObject() as Record<string, unknown> };
  } catch (error) {
    return { ok: false as const, error };
  }
}

/** Values of every kind a draft field might carry, fitting or not. */
const anything = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '6b07cf0cc89fb47872839e48', 'joined', 'left', '12', 'true'),
  fc.integer({ min: -5, max: 1e6 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: false }),
  fc.constant(new Types.ObjectId('6b07cf0cc89fb47872839e48')),
);

const replyTo = fc.record(
  {
    _id: fc.oneof(fc.string({ maxLength: 24 }), anything),
    seq: fc.oneof(fc.nat(), anything),
    nick: fc.string({ maxLength: 8 }),
    snippet: fc.string({ maxLength: 8 }),
    gif: fc.oneof(fc.boolean(), anything),
  },
  { requiredKeys: [] },
);

/** Drafts of the shape the services build, every optional field present or not. */
const wellFormed = fc.record(
  {
    _id: fc.constant(new Types.ObjectId()),
    room: fc.constant(new Types.ObjectId().toHexString()),
    seq: fc.nat(),
    user: fc.string({ minLength: 1, maxLength: 8 }),
    pid: fc.string({ maxLength: 12 }),
    nick: fc.string({ maxLength: 8 }),
    chat: fc.string({ maxLength: 20 }),
    gif: fc.string({ maxLength: 8 }),
    width: fc.nat(4096),
    height: fc.nat(4096),
    to: fc.string({ maxLength: 8 }),
    kind: fc.constantFrom(...Object.keys(SYSTEM_TEXT)),
    name: fc.string({ maxLength: 8 }),
    cid: fc.uuid(),
    replyTo,
    deleted: fc.boolean(),
    editedAt: fc.date({ noInvalidDate: true }),
  },
  { requiredKeys: ['room', 'seq', 'user'] },
);

/** Well-formed drafts, and the same with one field of any value, or a key the schema lacks. */
const draft = fc.oneof(
  wellFormed,
  fc
    .tuple(
      wellFormed,
      fc.constantFrom(
        '_id',
        'room',
        'seq',
        'user',
        'chat',
        'width',
        'kind',
        'replyTo',
        'deleted',
        'editedAt',
        'createdAt',
        'unknownField',
      ),
      anything,
    )
    .map(([d, key, value]) => ({ ...d, [key]: value })),
);

test('a message built by hand is what the schema makes of the draft; what it cannot build, it leaves to the schema', async () => {
  let built = 0;
  await fc.assert(
    fc.asyncProperty(draft, async (d) => {
      const plain = build(d);
      if (!plain) return;
      built++;
      // Defaults are the schema's own kind of value, fresh per message.
      expect(plain._id).toBeInstanceOf(Types.ObjectId);
      expect(plain.createdAt).toBeInstanceOf(Date);
      const mongoose = await throughMongoose({ ...d, _id: plain._id, createdAt: plain.createdAt });
      expect(mongoose.ok).toBe(true);
      expect(plain).toEqual(mongoose.ok && mongoose.value);
    }),
    { numRuns: 3000 },
  );
  // The property held for many built drafts, not only for refused ones.
  expect(built).toBeGreaterThan(100);
});

test('the drafts the services send are built by hand, casts and defaults included', async () => {
  const room = new Types.ObjectId().toHexString();
  const drafts = [
    { user: '#6bc322', pid: 'p1', nick: 'Ann', chat: 'hello', room, seq: 1 },
    {
      user: '#6bc322',
      pid: 'p1',
      chat: 'a reply',
      cid: '3fda00ee-b2d4-4fd8-b1da-c975bfba4a7e',
      _id: new Types.ObjectId(),
      replyTo: { _id: new Types.ObjectId().toHexString(), seq: 1, nick: 'Ann', snippet: 'hello' },
      room,
      seq: 2,
    },
    { user: 'system', kind: 'joined', name: 'Ann', chat: 'Ann joined', room, seq: 3 },
    { user: '#6bc322', pid: 'p1', gif: '/gif/a.gif', width: 10, height: 20, room, seq: 4 },
  ];
  for (const d of drafts) {
    const plain = build(d);
    expect(plain).toBeDefined();
    expect(plain!.room).toEqual(new Types.ObjectId(room));
    const mongoose = await throughMongoose({ ...d, _id: plain!._id, createdAt: plain!.createdAt });
    expect(plain).toEqual(mongoose.ok && mongoose.value);
  }
});

test('what Mongoose would refuse or cast is not built by hand', () => {
  const room = new Types.ObjectId().toHexString();
  const base = { user: 'u', room, seq: 1 };
  expect(build({ ...base, user: '' })).toBeUndefined(); // required refuses ''
  expect(build({ room, seq: 1 })).toBeUndefined(); // user required
  expect(build({ ...base, kind: 'exploded' })).toBeUndefined(); // enum
  expect(build({ ...base, seq: '1' })).toBeUndefined(); // would be cast
  expect(build({ ...base, room: 'not-an-id' })).toBeUndefined();
  expect(build({ ...base, chat: null })).toBeUndefined();
  expect(build({ ...base, $where: 'x' })).toBeUndefined(); // unknown keys
  expect(build({ ...base, replyTo: {} })).toBeUndefined(); // Mongoose minimizes it away
});

test('a schema with any other validator is never built by hand', () => {
  const guarded = new Schema({ chat: { type: String, maxlength: 3 } });
  expect(plainBuilder(guarded)({ chat: 'ok' })).toBeUndefined();
  const plain = new Schema({ chat: { type: String } });
  expect(plainBuilder(plain)({ chat: 'ok' })).toEqual({
    chat: 'ok',
    _id: expect.any(Types.ObjectId),
  });
});
