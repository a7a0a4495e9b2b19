import { remembered } from '../../src/lib/memo';

test('a remembered function runs once per kept key and forgets the oldest beyond its bound', () => {
  const calls: string[] = [];
  const upper = remembered((key) => (calls.push(key), key.toUpperCase()), 2);
  expect([upper('a'), upper('a'), upper('b'), upper('a')]).toEqual(['A', 'A', 'B', 'A']);
  expect(calls).toEqual(['a', 'b']);
  upper('c'); // the bound is 2: 'a', the oldest, is forgotten
  expect(upper('b')).toBe('B');
  expect(upper('a')).toBe('A');
  expect(calls).toEqual(['a', 'b', 'c', 'a']);
});
