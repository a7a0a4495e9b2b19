/**
 * The access log's stream: the lines of one turn of the event loop go out in one write. A write to
 * a pipe or a file is a synchronous system call per call on Linux, one per request otherwise.
 */
export function batchedLines(out: Pick<NodeJS.WritableStream, 'write'> = process.stdout): {
  write(line: string): void;
} {
  let pending: string[] = [];
  const flush = () => {
    const text = pending.join('');
    pending = [];
    out.write(text);
  };
  return {
    write(line) {
      if (pending.push(line) === 1) setImmediate(flush);
    },
  };
}
