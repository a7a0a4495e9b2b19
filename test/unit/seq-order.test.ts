import fc from 'fast-check';
import { SeqOrder, type Place } from '../../src/services/seq-order';

const ROOM = 'room';

function line(next = 1) {
  const order = new SeqOrder();
  order.start(ROOM, next);
  return order;
}

test('numbers are handed out at once, in a row, from where the line starts', () => {
  const order = line(7);
  expect([order.take(ROOM), order.take(ROOM), order.take(ROOM)].map((p) => p.seq)).toEqual([
    7, 8, 9,
  ]);
});

test('a line must be started before it hands out numbers; a later start never goes back', () => {
  const order = new SeqOrder();
  expect(order.knows(ROOM)).toBe(false);
  expect(() => order.take(ROOM)).toThrow();
  order.start(ROOM, 10);
  order.take(ROOM);
  order.start(ROOM, 3);
  expect(order.take(ROOM).seq).toBe(11);
});

test('a number asked at least skips ahead; nothing waits for the numbers skipped', async () => {
  const order = line(1);
  const released: number[] = [];
  const first = order.take(ROOM);
  const skipped = order.take(ROOM, 5);
  expect(skipped.seq).toBe(5);
  expect(order.take(ROOM).seq).toBe(6);
  const turn = skipped.settle(() => released.push(skipped.seq));
  expect(released).toEqual([]);
  await first.settle(() => released.push(first.seq));
  await turn;
  expect(released).toEqual([1, 5]);
});

test('a later message settled first waits for the earlier one; its turn resolves after both', async () => {
  const order = line();
  const released: number[] = [];
  const [a, b] = [order.take(ROOM), order.take(ROOM)];
  let bTurn = false;
  const b1 = b.settle(() => released.push(b.seq)).then(() => (bTurn = true));
  await Promise.resolve();
  expect(released).toEqual([]);
  expect(bTurn).toBe(false);
  await a.settle(() => released.push(a.seq));
  await b1;
  expect(released).toEqual([1, 2]);
});

test('a gap (settled with nothing) lets the messages behind it go', async () => {
  const order = line();
  const released: number[] = [];
  const [a, gap, c] = [order.take(ROOM), order.take(ROOM), order.take(ROOM)];
  const cTurn = c.settle(() => released.push(c.seq));
  await a.settle(() => released.push(a.seq));
  expect(released).toEqual([1]);
  await gap.settle();
  await cTurn;
  expect(released).toEqual([1, 3]);
});

test('a release that throws is reported and does not hold up the next', async () => {
  const errors: unknown[] = [];
  const order = new SeqOrder((err) => errors.push(err));
  order.start(ROOM, 1);
  const [a, b] = [order.take(ROOM), order.take(ROOM)];
  const released: number[] = [];
  const bTurn = b.settle(() => released.push(b.seq));
  await a.settle(() => {
    throw new Error('listener broke');
  });
  await bTurn;
  expect(released).toEqual([2]);
  expect(errors).toHaveLength(1);
});

test('settling twice releases once; rooms have lines of their own', async () => {
  const order = line();
  order.start('other', 1);
  const released: string[] = [];
  const a = order.take(ROOM);
  const blocked = order.take('other');
  await a.settle(() => released.push('a'));
  await a.settle(() => released.push('again'));
  const other = order.take('other');
  void other.settle(() => released.push('other 2'));
  expect(released).toEqual(['a']);
  await blocked.settle(() => released.push('other 1'));
  expect(released).toEqual(['a', 'other 1', 'other 2']);
});

test('a forgotten line still drains the places that were out, in order', async () => {
  const order = line();
  const released: number[] = [];
  const [a, b] = [order.take(ROOM), order.take(ROOM)];
  order.forget(ROOM);
  expect(order.knows(ROOM)).toBe(false);
  const bTurn = b.settle(() => released.push(b.seq));
  await a.settle(() => released.push(a.seq));
  await bTurn;
  expect(released).toEqual([1, 2]);
});

/**
 * Random runs: places taken (some with a jump ahead, as after a collision) and settled in a random
 * order, some as gaps, taking more while others are out. Whatever the order, the releases come in
 * strictly increasing seq, every stored message is released exactly once, and every turn resolves.
 */
test('property: any completion order releases every stored message once, in seq order', async () => {
  type Step = { kind: 'take'; jump: number } | { kind: 'settle'; pick: number; gap: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      kind: fc.constant('take' as const),
      jump: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 })),
    }),
    fc.record({
      kind: fc.constant('settle' as const),
      pick: fc.nat(),
      gap: fc.boolean(),
    }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1000 }),
      fc.array(step, { maxLength: 80 }),
      async (start, steps) => {
        const order = line(start);
        const released: number[] = [];
        const stored = new Set<number>();
        const out: Place[] = [];
        const turns: Promise<void>[] = [];
        const taken: number[] = [];
        let next = start;
        const settle = (place: Place, gap: boolean) => {
          if (!gap) stored.add(place.seq);
          turns.push(place.settle(gap ? undefined : () => released.push(place.seq)));
        };
        for (const s of steps) {
          if (s.kind === 'take') {
            const place = order.take(ROOM, s.jump ? next + s.jump : 0);
            taken.push(place.seq);
            next = place.seq + 1;
            out.push(place);
          } else if (out.length) {
            const [place] = out.splice(s.pick % out.length, 1);
            settle(place!, s.gap);
          }
          // Releases so far are a prefix of the stored ones: nothing is released past an open place.
          const firstOpen = Math.min(...out.map((p) => p.seq));
          expect(released).toEqual([...stored].filter((q) => q < firstOpen).sort((x, y) => x - y));
        }
        for (const place of out.splice(0)) settle(place, false);
        await Promise.all(turns);
        expect(taken).toEqual([...taken].sort((x, y) => x - y));
        expect(new Set(taken).size).toBe(taken.length);
        expect(released).toEqual([...stored].sort((x, y) => x - y));
      },
    ),
    { numRuns: 300 },
  );
});
