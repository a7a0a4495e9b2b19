import fc from 'fast-check';
import mongoose from 'mongoose';
import { en } from '../../src/i18n/en';

/** Strings a hostile client sends: unicode, emoji at and around the limits, NUL, keys… */
export const shortHostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD83D',
    'x\uDE00y',
    '\u202Eevil',
    '\u200B',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '<script>alert(1)</script>',
    '{{ 7*7 }}',
    '{% raw %}',
    '{"$gt":""}',
    '$where',
    '../../etc/passwd',
    '%00',
    '%E0%A4%A',
    'true',
    'null',
    'NaN',
    '-1',
    '1e309',
    '0x10',
    'system',
    'ＳＹＳＴＥＭ',
  ),
  // Emoji (two UTF-16 units each) at and around the title's 60 and a name's 24.
  fc.constantFrom(11, 12, 13, 29, 30, 31, 59, 60, 61).map((n) => '😀'.repeat(n)),
  fc.constantFrom(24, 25, 60, 61, 100, 101, 1000, 1001).map((n) => 'é'.repeat(n)),
  fc
    .constantFrom('👨‍👩‍👧‍👦', 'é', '한국어', 'ﷺ')
    .chain((g) => fc.integer({ min: 1, max: 70 }).map((n) => g.repeat(n))),
);

/** …and very long ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: shortHostileString, weight: 6 },
  { arbitrary: fc.integer({ min: 1_000, max: 40_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);

const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '$gt', 'a.b', ''),
  fc.string({ maxLength: 8 }),
);

/** Any JSON-ish value: strings, numbers, arrays where strings are expected, objects, nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -1, 2, 10, 100, 101, Number.MAX_SAFE_INTEGER, 2 ** 64, -0),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/**
 * Socket.IO closes a connection whose packet passes maxHttpBufferSize (64 KB), as it should: a
 * fuzzed event must stay under it, or every event after it on that socket goes unanswered.
 */
export const fitsOnePacket = (args: unknown) => (JSON.stringify(args) ?? '').length < 50_000;

/** Collects what escapes every handler: an unhandled rejection or exception fails the file. */
export function watchEscapes(): { escaped: unknown[]; stop(): void } {
  const escaped: unknown[] = [];
  const onRejection = (reason: unknown) => escaped.push(reason);
  const onException = (err: unknown) => escaped.push(err);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    escaped,
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/** Error codes the dictionaries can say (a refusal with any other code is a bug). */
export const isErrorCode = (code: unknown): boolean =>
  typeof code === 'string' && Object.hasOwn(en.errors, code);

/**
 * Every document of every collection, sorted: equal snapshots mean nothing was written. A session's
 * expiry and last change are left out (reading a session may push its expiry on).
 */
export async function snapshot(): Promise<Record<string, string[]>> {
  const db = mongoose.connection.db!;
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .sort();
  const out: Record<string, string[]> = {};
  for (const name of collections) {
    const docs = await db.collection(name).find({}).toArray();
    out[name] = docs
      .map((doc) => {
        // Times that move by themselves: a session's expiry, a process's heartbeat (the sweeper).
        if (name === 'sessions')
          return JSON.stringify({ ...doc, expires: undefined, lastModified: undefined });
        if (name === 'processes') return JSON.stringify({ ...doc, seen: undefined });
        return JSON.stringify(doc);
      })
      .sort();
  }
  return out;
}
