import { io as connect } from 'socket.io-client';
import { ask, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

test('a socket is someone only with a validly signed session cookie', async () => {
  const owner = await h.visitor();
  const room = await owner.createRoom({ title: 'signed' });
  const sid = /gifchat\.sid=s%3A([^.]+)\./.exec(owner.cookie)![1]!;
  for (const cookie of ['', `gifchat.sid=${sid}`, `gifchat.sid=s%3A${sid}.forged`, 'other=1']) {
    const socket = connect(`${h.url}/chat`, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      forceNew: true,
      reconnection: false,
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const res = await ask(socket, 'join', room);
    expect({ cookie, code: res.error?.code }).toEqual({ cookie, code: 'not_participant' });
    socket.disconnect();
  }
  const real = await owner.socket();
  expect((await ask(real, 'join', room)).ok).toBe(true);
});

test('an open socket keeps the session id, not the session', async () => {
  const v = await h.visitor();
  await v.socket();
  const [server] = await h.io.of('/chat').fetchSockets();
  expect(server!.data.sid).toMatch(/^[\w-]{20,}$/);
  expect((server as unknown as { request: { session?: unknown } }).request.session).toBeUndefined();
});

test('a nickname set over a socket is the session’s, for its pages too', async () => {
  const v = await h.visitor();
  const tab = await v.socket();
  expect((await ask(tab, 'nick', 'Sockette')).ok).toBe(true);
  const page = await v.agent.get('/room').expect(200);
  // The creation form shows the name the person goes by.
  const room = await v.createRoom({ title: 'named' });
  const chat = await v.agent.get(`/room/${room}`).expect(200);
  expect(chat.text).toContain('data-nick="Sockette"');
  expect(page.status).toBe(200);
});
