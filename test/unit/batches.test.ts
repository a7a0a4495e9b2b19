import fc from 'fast-check';
import { Batches, type Outcome } from '../../src/lib/batches';

/** A writer whose batches the test ends by hand (no outcomes: the batch fails as a whole). */
function manual<T>() {
  const batches: { items: T[]; end: (outcomes: Outcome<string>[]) => void }[] = [];
  const writer = (items: T[]) =>
    new Promise<Outcome<string>[]>((resolve, reject) =>
      batches.push({
        items,
        end: (outcomes) => (outcomes.length ? resolve(outcomes) : reject(new Error('down'))),
      }),
    );
  return { batches, writer };
}

test('a lone item goes at once; items that come meanwhile go together in the next batch', async () => {
  const { batches, writer } = manual<number>();
  const b = new Batches<number, string>(writer);
  const first = b.add('room', 1);
  expect(batches.map((x) => x.items)).toEqual([[1]]);
  const later = [b.add('room', 2), b.add('room', 3)];
  expect(batches).toHaveLength(1);
  batches[0]!.end([{ ok: true, value: 'one' }]);
  expect(await first).toBe('one');
  expect(batches.map((x) => x.items)).toEqual([[1], [2, 3]]);
  batches[1]!.end([
    { ok: true, value: 'two' },
    { ok: false, error: new Error('three failed') },
  ]);
  expect(await later[0]).toBe('two');
  await expect(later[1]).rejects.toThrow('three failed');
});

test('a batch that fails as a whole fails each of its items; the next batch still goes', async () => {
  const { batches, writer } = manual<number>();
  const b = new Batches<number, string>(writer);
  const first = b.add('room', 1);
  const second = b.add('room', 2);
  batches[0]!.end([]);
  await expect(first).rejects.toThrow('down');
  batches[1]!.end([{ ok: true, value: 'two' }]);
  expect(await second).toBe('two');
});

test('keys do not wait for each other; a batch holds at most `max` items', async () => {
  const writes: number[][] = [];
  const b = new Batches<number, number>(async (items) => {
    writes.push(items);
    await Promise.resolve();
    return items.map((value) => ({ ok: true, value }));
  }, 2);
  const all = [b.add('a', 1), b.add('b', 10), b.add('a', 2), b.add('a', 3), b.add('a', 4)];
  expect(await Promise.all(all)).toEqual([1, 10, 2, 3, 4]);
  expect(writes).toEqual([[1], [10], [2, 3], [4]]);
});

test('property: every item gets its own outcome once, batches of a key never overlap', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ key: fc.constantFrom('a', 'b'), fail: fc.boolean(), wait: fc.nat(3) }), {
        maxLength: 40,
      }),
      fc.integer({ min: 1, max: 5 }),
      async (items, max) => {
        const open = new Map<string, boolean>();
        let overlapped = false;
        const seen: number[] = [];
        const b = new Batches<{ i: number; key: string; fail: boolean }, number>(async (batch) => {
          const key = batch[0]!.key;
          if (open.get(key)) overlapped = true;
          open.set(key, true);
          for (let t = 0; t < (items[batch[0]!.i]?.wait ?? 0); t++) await Promise.resolve();
          open.set(key, false);
          expect(batch.length).toBeLessThanOrEqual(max);
          expect(batch.every((x) => x.key === key)).toBe(true);
          seen.push(...batch.map((x) => x.i));
          return batch.map((x) =>
            x.fail ? { ok: false, error: x.i } : { ok: true, value: x.i * 2 },
          );
        }, max);
        const results = await Promise.allSettled(
          items.map((item, i) => b.add(item.key, { i, key: item.key, fail: item.fail })),
        );
        expect(overlapped).toBe(false);
        expect([...seen].sort((x, y) => x - y)).toEqual(items.map((_, i) => i));
        results.forEach((r, i) =>
          expect(r).toEqual(
            items[i]!.fail
              ? { status: 'rejected', reason: i }
              : { status: 'fulfilled', value: i * 2 },
          ),
        );
      },
    ),
    { numRuns: 200 },
  );
});
