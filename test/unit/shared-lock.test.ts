import fc from 'fast-check';
import { SharedLock, type Claim } from '../../src/lib/shared-lock';

/** Resolves after every promise callback queued so far has run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('shared claims hold a key together; an exclusive one waits for them all', async () => {
  const lock = new SharedLock();
  const a = await lock.shared('k');
  const b = await lock.shared('k');
  let exclusive: Claim | undefined;
  void lock.exclusive('k').then((c) => (exclusive = c));
  await settle();
  expect(exclusive).toBeUndefined();
  a.release();
  await settle();
  expect(exclusive).toBeUndefined();
  b.release();
  await settle();
  expect(exclusive).toBeDefined();
});

test('a shared claim asked after a waiting exclusive one waits its turn (no starvation)', async () => {
  const lock = new SharedLock();
  const first = await lock.shared('k');
  const order: string[] = [];
  const x = lock.exclusive('k').then((c) => (order.push('exclusive'), c));
  const s = lock.shared('k').then((c) => (order.push('shared'), c));
  await settle();
  expect(order).toEqual([]);
  first.release();
  (await x).release();
  (await s).release();
  expect(order).toEqual(['exclusive', 'shared']);
});

test('share turns an exclusive claim into a shared one, letting the shared waiters in, not an exclusive', async () => {
  const lock = new SharedLock();
  const mine = await lock.exclusive('k');
  const granted: string[] = [];
  void lock.shared('k').then(() => granted.push('s1'));
  void lock.shared('k').then(() => granted.push('s2'));
  void lock.exclusive('k').then(() => granted.push('x'));
  void lock.shared('k').then(() => granted.push('s3'));
  await settle();
  expect(granted).toEqual([]);
  mine.share();
  await settle();
  expect(granted).toEqual(['s1', 's2']);
  // Released twice, or shared again: each counts once.
  mine.release();
  mine.release();
  mine.share();
  await settle();
  expect(granted).toEqual(['s1', 's2']);
});

test('other keys are not held up', async () => {
  const lock = new SharedLock();
  await lock.exclusive('a');
  const b = await lock.exclusive('b');
  expect(b).toBeDefined();
});

test('whatever the order of claims, releases and shares, no exclusive claim ever overlaps another', async () => {
  const step = fc.record({
    exclusive: fc.boolean(),
    share: fc.boolean(),
    holdTicks: fc.integer({ min: 0, max: 3 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      const lock = new SharedLock();
      let exclusive = 0;
      let shared = 0;
      let granted = 0;
      await Promise.all(
        steps.map(async ({ exclusive: wantsExclusive, share, holdTicks }) => {
          const claim = await (wantsExclusive ? lock.exclusive('k') : lock.shared('k'));
          granted++;
          if (wantsExclusive) exclusive++;
          else shared++;
          expect(exclusive).toBeLessThanOrEqual(1);
          if (exclusive) expect(shared).toBe(0);
          for (let i = 0; i < holdTicks; i++) await settle();
          if (wantsExclusive && share) {
            exclusive--;
            shared++;
            claim.share();
          }
          for (let i = 0; i < holdTicks; i++) await settle();
          if (wantsExclusive && !share) exclusive--;
          else shared--;
          claim.release();
        }),
      );
      expect(granted).toBe(steps.length);
    }),
    { numRuns: 200 },
  );
});
