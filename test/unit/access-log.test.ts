import express from 'express';
import morgan from 'morgan';
import request from 'supertest';
import { accessLog, clfDate, type AccessLogFormat } from '../../src/http/access-log';
import { until } from '../support/harness';

/** An app logging each request twice: through morgan and through accessLog. */
function twoLogs(format: AccessLogFormat) {
  const theirs: string[] = [];
  const ours: string[] = [];
  const app = express();
  app.set('trust proxy', 1);
  app.use(morgan(format, { stream: { write: (line: string) => theirs.push(line) } }));
  app.use(accessLog(format, { write: (line: string) => ours.push(line) }));
  app.get('/ok', (_req, res) => res.send('hello'));
  app.get('/gone', (_req, res) => res.status(404).json({ error: 'nope' }));
  app.post('/moved', (_req, res) => res.redirect(303, '/ok'));
  app.get('/boom', (_req, res) => res.status(500).end());
  return { app, theirs, ours };
}

const requests = (app: express.Express) => [
  request(app).get('/ok?q=a%20b&x="quoted"'),
  request(app)
    .get('/gone')
    .set('referer', 'http://example.test/page?"x"')
    .set('user-agent', 'Agent "007"\\with\tsoul'),
  request(app).post('/moved').auth('ali:ce', 'secret').set('x-forwarded-for', '203.0.113.9'),
  request(app).get('/boom').set('user-agent', 'caf\u00e9 \u0085'),
];

/** The parts that depend on the moment: the date, and the response time. */
const timeless = (line: string) =>
  line.replace(/\[[^\]]+\]/, '[date]').replace(/ \d+\.\d{3} ms/, ' T ms');

test.each(['combined', 'dev'] as const)(
  'the %s line is the one morgan writes, escaping included',
  async (format) => {
    const { app, theirs, ours } = twoLogs(format);
    for (const req of requests(app)) await req;
    await until(() => theirs.length === 4 && ours.length === 4);
    expect(ours.map(timeless)).toEqual(theirs.map(timeless));
    if (format === 'combined') {
      expect(ours[1]).toContain('"Agent \\"007\\"\\\\with\\tsoul"');
      expect(ours[2]).toMatch(/^203\.0\.113\.9 - ali /);
    }
  },
);

test('a request whose client goes away before the answer is logged too, without a status', async () => {
  const lines: string[] = [];
  const app = express();
  app.use(accessLog('combined', { write: (line: string) => lines.push(line) }));
  let answered!: () => void;
  const waiting = new Promise<void>((resolve) => (answered = resolve));
  app.get('/slow', () => answered());
  const server = app.listen(0);
  try {
    const { port } = server.address() as { port: number };
    const controller = new AbortController();
    const pending = fetch(`http://127.0.0.1:${port}/slow`, { signal: controller.signal }).catch(
      () => undefined,
    );
    await waiting;
    controller.abort();
    await pending;
    await until(() => lines.length === 1);
    expect(lines[0]).toMatch(/"GET \/slow HTTP\/1\.1" - - "-" "[^"]+"\n$/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('dates are written as in the common log format, in UTC', () => {
  expect(clfDate(new Date(Date.UTC(2000, 9, 10, 13, 55, 36)))).toBe('10/Oct/2000:13:55:36 +0000');
  expect(clfDate(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('02/Jan/2026:03:04:05 +0000');
});
