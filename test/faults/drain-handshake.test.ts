/**
 * A process that begins to drain stops accepting connections, but one kept alive from before still
 * carries requests: a long-polling tab's connection is busy with a poll when the drain begins, and
 * free again once the poll returns. Engine.IO sessions opened on it then would live only until
 * the sockets close; they are refused as `restarting` (the client retries elsewhere), while the
 * session already open goes on receiving.
 */
import http from 'node:http';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ DRAIN_MS: 10_000 });
});
/** One connection, kept alive: every request below goes over it, one after the other. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
afterAll(async () => {
  agent.destroy();
  await h.close();
});

function request(path: string, method = 'GET', body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`${h.url}${path}`, { method, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const HANDSHAKE = '/socket.io/?EIO=4&transport=polling';

test('a new Engine.IO session is refused while draining; the open one still hears `restarting`', async () => {
  const open = await request(HANDSHAKE);
  expect(open.status).toBe(200);
  const { sid } = JSON.parse(open.body.slice(1)) as { sid: string };
  const poll = `${HANDSHAKE}&sid=${sid}`;
  expect((await request(poll, 'POST', '40/chat,')).status).toBe(200);
  expect((await request(poll)).body).toMatch(/^40\/chat,/);

  // A request held in flight (its body never ends) keeps the drain going meanwhile.
  const held = http.request(`${h.url}/room/x/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': '100' },
  });
  held.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  try {
    held.write('{"chat":');
    await new Promise((resolve) => setTimeout(resolve, 100));

    // The poll waits for a packet; the drain's announcement is one.
    const waiting = request(poll);
    await new Promise((resolve) => setTimeout(resolve, 100));
    closing = h.stop();
    const heard = await waiting;
    expect(heard.status).toBe(200);
    expect(heard.body).toContain('"restarting"');

    // The same connection, free again: a new session is refused, and says why.
    const refused = await request(HANDSHAKE);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('restarting');
  } finally {
    // However it went, the drain ends: nothing is left in flight.
    held.destroy();
    agent.destroy();
    await closing;
  }
});
