import { batchedLines } from '../../src/http/log-stream';

test('the lines of one turn of the event loop go out in one write, in order', async () => {
  const writes: string[] = [];
  const lines = batchedLines({ write: (text: string) => writes.push(text) > 0 });
  lines.write('a\n');
  lines.write('b\n');
  expect(writes).toEqual([]);
  await new Promise((resolve) => setImmediate(resolve));
  expect(writes).toEqual(['a\nb\n']);
  lines.write('c\n');
  await new Promise((resolve) => setImmediate(resolve));
  expect(writes).toEqual(['a\nb\n', 'c\n']);
});
