import type { RoomId } from '../../src/lib/room-id';
import { RoomMemo } from '../../src/services/room-memo';

const room = 'a'.repeat(24) as RoomId;

test('a lone process reads a room once, then answers from memory kept current by its changes', async () => {
  let loads = 0;
  const memo = new RoomMemo<number>({
    enabled: true,
    loadRoom: () => {
      loads += 1;
      return Promise.resolve(new Map([['m1', 2]]));
    },
    loadSome: () => Promise.reject(new Error('not used alone')),
  });
  expect(await memo.get(room, ['m1', 'm2'])).toEqual(new Map([['m1', 2]]));
  memo.set(room, 'm2', 1);
  memo.set(room, 'm1', undefined);
  expect(await memo.get(room, ['m1', 'm2'])).toEqual(new Map([['m2', 1]]));
  expect(loads).toBe(1);
});

test('a load that raced a change is not kept; several processes always ask the database', async () => {
  let release!: (value: Map<string, number>) => void;
  let loads = 0;
  const memo = new RoomMemo<number>({
    enabled: true,
    loadRoom: () => {
      loads += 1;
      return new Promise((resolve) => (release = resolve));
    },
    loadSome: () => Promise.resolve(new Map()),
  });
  const first = memo.get(room, ['m1']);
  memo.set(room, 'm1', 5);
  release(new Map());
  expect(await first).toEqual(new Map());
  const second = memo.get(room, ['m1']);
  release(new Map([['m1', 5]]));
  expect(await second).toEqual(new Map([['m1', 5]]));
  expect(loads).toBe(2);

  const some: string[][] = [];
  const shared = new RoomMemo<number>({
    enabled: false,
    loadRoom: () => Promise.reject(new Error('never whole rooms')),
    loadSome: (ids) => {
      some.push(ids);
      return Promise.resolve(new Map([['x', 1]]));
    },
  });
  expect(await shared.get(room, ['x'])).toEqual(new Map([['x', 1]]));
  expect(await shared.get(room, [])).toEqual(new Map());
  expect(some).toEqual([['x']]);
});
