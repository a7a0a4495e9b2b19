import type { RoomId } from '../../src/lib/room-id';
import { RecentMessages } from '../../src/services/recent';
import type { ChatMessage } from '../../src/services/types';

const room = 'a'.repeat(24) as RoomId;
const message = (seq: number): ChatMessage => ({
  _id: `m${seq}`,
  room,
  seq,
  user: 'someone',
  chat: `#${seq}`,
  createdAt: new Date(0).toISOString(),
});
const seqs = (list: ChatMessage[] | undefined) => list?.map((m) => m.seq);

test('a message saved while the window is read from the database is in the window', () => {
  const recent = new RecentMessages({ enabled: true, perRoom: 200, rooms: 10 });
  recent.reads(room);
  // Saved after the read looked (it found 1-3), before it answered: the window must have it.
  recent.add(message(4));
  recent.read(room, [message(3), message(2), message(1)], 200);
  recent.add(message(5));
  expect(seqs(recent.after(room, 'p', 2))).toEqual([3, 4, 5]);
  expect(seqs(recent.page(room, 'p', 50))).toEqual([1, 2, 3, 4, 5]);
});

test('a message the read saw as well is kept once', () => {
  const recent = new RecentMessages({ enabled: true, perRoom: 200, rooms: 10 });
  recent.reads(room);
  recent.add(message(3));
  recent.read(room, [message(3), message(2), message(1)], 200);
  expect(seqs(recent.after(room, 'p', 0))).toEqual([1, 2, 3]);
});

test('a read that found as many as it asked for does not claim the whole history', () => {
  const recent = new RecentMessages({ enabled: true, perRoom: 3, rooms: 10 });
  recent.reads(room);
  recent.add(message(11));
  recent.read(room, [message(10), message(9), message(8)], 3);
  // Holds 9-11 only: a replay after 7 is not all here, and says so.
  expect(recent.after(room, 'p', 7)).toBeUndefined();
  expect(seqs(recent.after(room, 'p', 8))).toEqual([9, 10, 11]);
});

test('a read called off by clearing the windows fills nothing', () => {
  const recent = new RecentMessages({ enabled: true, perRoom: 200, rooms: 10 });
  recent.reads(room);
  recent.clear();
  recent.read(room, [message(1)], 200);
  expect(recent.knows(room)).toBe(false);
});
