/* What is stored before a measurement, written directly through the driver with acknowledged
 * writes (the default write concern). */
import { randomBytes } from 'node:crypto';
import { ObjectId, type Db } from 'mongodb';

const DAY = 24 * 60 * 60 * 1000;
const BATCH = 1_000;

async function insertAll(db: Db, collection: string, docs: () => Generator<object>) {
  let batch: object[] = [];
  for (const doc of docs()) {
    batch.push(doc);
    if (batch.length === BATCH) {
      await db.collection(collection).insertMany(batch, { writeConcern: { w: 1 } });
      batch = [];
    }
  }
  if (batch.length) await db.collection(collection).insertMany(batch, { writeConcern: { w: 1 } });
}

/**
 * Rooms as both apps store them (GifChat reads title/max/createdAt/passwordHash and its seats; the
 * classic app reads title/max/owner/password), each with a few people seated, one in ten secret.
 */
export async function seedRooms(db: Db, count: number): Promise<void> {
  const rooms = Array.from({ length: count }, (_, i) => ({
    _id: new ObjectId(),
    title: `Room number ${i} — GIFs of cats and other things`,
    max: 10 + (i % 5) * 10,
    owner: `#${randomBytes(3).toString('hex')}`,
    ...(i % 10 === 0 ? { password: 'secret', passwordHash: 'scrypt$bench$bench' } : {}),
    createdAt: new Date(Date.now() - i * 60_000),
  }));
  await insertAll(db, 'rooms', function* () {
    yield* rooms;
  });
  await insertAll(db, 'seats', function* () {
    for (const room of rooms)
      for (let slot = 0; slot < 1 + (rooms.indexOf(room) % 5); slot++) {
        const session = randomBytes(18).toString('base64url');
        yield {
          room: room._id,
          slot,
          session,
          pid: randomBytes(9).toString('base64url'),
          since: new Date(),
          lastSeen: new Date(),
          announced: true,
        };
      }
  });
}

/** Live sessions in GifChat's store shape (`_id`, the session as JSON, `expires`). */
export async function seedSessions(db: Db, count: number): Promise<void> {
  const now = Date.now();
  await insertAll(db, 'sessions', function* () {
    for (let i = 0; i < count; i++) {
      const expires = new Date(now + 7 * DAY - (i % 1000) * 60_000);
      yield {
        _id: randomBytes(24).toString('base64url'),
        session: JSON.stringify({
          cookie: { originalMaxAge: 7 * DAY, expires, httpOnly: true, path: '/', sameSite: 'lax' },
          pid: randomBytes(9).toString('base64url'),
          csrfToken: randomBytes(32).toString('hex'),
        }),
        expires,
        lastModified: new Date(now - (i % 1000) * 60_000),
      };
    }
  });
}

/** Old messages of `rooms` gone rooms, spread evenly over the past `weeks` weeks. */
export async function seedMessages(db: Db, count: number, rooms = 1_000, weeks = 4) {
  const ids = Array.from({ length: rooms }, () => new ObjectId());
  const span = weeks * 7 * DAY;
  const now = Date.now();
  await insertAll(db, 'messages', function* () {
    for (let i = 0; i < count; i++) {
      yield {
        room: ids[i % rooms],
        seq: Math.floor(i / rooms) + 1,
        user: '#3a7bd5',
        pid: 'seededpid',
        chat: `an old message number ${i}, long gone from anyone's screen`,
        createdAt: new Date(now - span + (i / count) * span),
      };
    }
  });
}
