import { Message } from '../../src/models/message.model';
import { Report } from '../../src/models/report.model';
import type { BlurUpdate, ReportItem } from '../../src/services/types';
import {
  ask,
  GIF_BYTES,
  next,
  startHarness,
  type ChatMessage,
  type Harness,
  type Visitor,
  member,
  type Member,
} from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ REPORTS_TO_BLUR: 2 });
});
afterAll(() => h.close());

const enter = (room: string, v?: Visitor) => member(h, room, v);

async function newRoom() {
  const ownerVisitor = await h.visitor();
  const room = await ownerVisitor.createRoom({ title: 'reports' });
  const owner = await enter(room, ownerVisitor);
  const [poster, r1, r2] = [await enter(room), await enter(room), await enter(room)];
  return { room, owner, poster, r1, r2 };
}

async function postGif(m: Member, room: string): Promise<ChatMessage> {
  const res = await m.v.agent
    .post(`/room/${room}/gif`)
    .set('x-csrf-token', m.v.csrf)
    .attach('gif', GIF_BYTES, 'x.gif')
    .expect(201);
  return res.body as ChatMessage;
}

test('one report per person; the owner sees the queue; N reporters blur a GIF until dismissed', async () => {
  const { room, owner, poster, r1, r2 } = await newRoom();
  const gif = await postGif(poster, room);
  const queue = next<ReportItem[]>(owner.socket, 'reports');
  expect(await ask(r1.socket, 'report', { _id: gif._id })).toMatchObject({ ok: true });
  expect((await queue)[0]).toMatchObject({
    message: { _id: gif._id },
    reporters: 1,
    blurred: false,
  });
  expect(await ask(r1.socket, 'report', { _id: gif._id })).toMatchObject({
    ok: false,
    error: { code: 'already_reported' },
  });
  expect(await ask(poster.socket, 'report', { _id: gif._id })).toMatchObject({
    ok: false,
    error: { code: 'report_own' },
  });
  expect(await Report.countDocuments({ message: gif._id })).toBe(1);

  const blurred = next<BlurUpdate>(poster.socket, 'blur');
  const viaHttp = await r2.v.agent
    .post(`/room/${room}/messages/${gif._id}/report`)
    .set('x-csrf-token', r2.v.csrf);
  expect(viaHttp.status).toBe(200);
  expect(await blurred).toMatchObject({ _id: gif._id, seq: gif.seq, blurred: true });
  // History says so to anyone loading it.
  const page = await r1.v.agent.get(`/room/${room}/chats`).expect(200);
  expect((page.body.messages as ChatMessage[]).find((m) => m._id === gif._id)?.blurred).toBe(true);

  // Only the owner sees and decides.
  expect(await ask(r1.socket, 'reports')).toMatchObject({
    ok: false,
    error: { code: 'not_owner' },
  });
  expect(await ask(r1.socket, 'decide', { _id: gif._id, action: 'dismiss' })).toMatchObject({
    ok: false,
    error: { code: 'not_owner' },
  });
  const list = await owner.v.agent.get(`/room/${room}/reports`).expect(200);
  expect(list.body).toMatchObject([{ reporters: 2, blurred: true }]);

  const cleared = next<BlurUpdate>(poster.socket, 'blur');
  expect(await ask(owner.socket, 'decide', { _id: gif._id, action: 'dismiss' })).toMatchObject({
    ok: true,
    data: [],
  });
  expect(await cleared).toMatchObject({ _id: gif._id, blurred: false });
  const third = await enter(room);
  expect(await ask(third.socket, 'report', { _id: gif._id })).toMatchObject({
    ok: false,
    error: { code: 'report_closed' },
  });
});

test('the owner removes a reported message for everyone; whispers cannot be reported', async () => {
  const { room, owner, poster, r1 } = await newRoom();
  const said = await ask<ChatMessage>(poster.socket, 'chat', { chat: 'something nasty' });
  await ask(r1.socket, 'report', { _id: said.data!._id });
  const gone = next<ChatMessage>(r1.socket, 'delete');
  const res = await owner.v.agent
    .post(`/room/${room}/reports/${said.data!._id}`)
    .set('x-csrf-token', owner.v.csrf)
    .send({ action: 'remove' });
  expect(res.status).toBe(200);
  expect(await gone).toMatchObject({ _id: said.data!._id, deleted: true });
  expect((await Message.findById(said.data!._id).lean())?.chat).toBeUndefined();

  const whisper = await ask<{ message: ChatMessage }>(poster.socket, 'whisper', {
    to: r1.pid,
    chat: 'psst',
  });
  expect(await ask(r1.socket, 'report', { _id: whisper.data!.message._id })).toMatchObject({
    ok: false,
    error: { code: 'message_not_found' },
  });
});

test('ignoring is remembered in the session, over the socket and HTTP', async () => {
  const { room, poster, r1 } = await newRoom();
  expect(await ask(r1.socket, 'ignore', { pid: poster.pid, ignored: true })).toMatchObject({
    ok: true,
    data: { ignored: [poster.pid] },
  });
  expect(await ask(r1.socket, 'ignore', { pid: r1.pid, ignored: true })).toMatchObject({
    ok: false,
    error: { code: 'ignore_self' },
  });
  const page = await r1.v.agent.get(`/room/${room}`).expect(200);
  expect(page.text).toContain(`data-ignored="${poster.pid}"`);
  const res = await r1.v.agent
    .post('/ignore')
    .set('x-csrf-token', r1.v.csrf)
    .send({ pid: poster.pid, ignored: false });
  expect(res.body).toEqual({ ignored: [] });
});
