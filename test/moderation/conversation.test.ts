import { Deletion } from '../../src/models/deletion.model';
import { Message } from '../../src/models/message.model';
import { Reaction } from '../../src/models/reaction.model';
import type { ReactionUpdate } from '../../src/services/types';
import {
  ask,
  GIF_BYTES,
  next,
  say,
  startHarness,
  type ChatMessage,
  type Harness,
  type Visitor,
  member,
  type Member,
} from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const enter = (room: string, v?: Visitor) => member(h, room, v);

async function newRoom() {
  const ownerVisitor = await h.visitor();
  const room = await ownerVisitor.createRoom({ title: 'talk' });
  return { room, alice: await enter(room, ownerVisitor), bob: await enter(room) };
}

const http = (m: Member) => ({
  patch: (path: string) => m.v.agent.patch(path).set('x-csrf-token', m.v.csrf),
  post: (path: string) => m.v.agent.post(path).set('x-csrf-token', m.v.csrf),
  delete: (path: string) => m.v.agent.delete(path).set('x-csrf-token', m.v.csrf),
});

describe('reactions', () => {
  test('counts go live to the room; a second identical reaction is refused and changes nothing', async () => {
    const { room, alice, bob } = await newRoom();
    const m = await say(alice, 'react to me');
    const heard = next<ReactionUpdate>(alice.socket, 'react');
    const res = await ask<ReactionUpdate>(bob.socket, 'react', { _id: m._id, emoji: '👍' });
    expect(res).toMatchObject({ ok: true, data: { _id: m._id, reactions: { '👍': [bob.pid] } } });
    expect(await heard).toMatchObject({ _id: m._id, seq: m.seq, reactions: { '👍': [bob.pid] } });

    expect(await ask(bob.socket, 'react', { _id: m._id, emoji: '👍' })).toMatchObject({
      ok: false,
      error: { code: 'already_reacted' },
    });
    const again = await http(bob)
      .post(`/room/${room}/messages/${m._id}/reactions`)
      .send({ emoji: '👍' });
    expect(again.status).toBe(409);
    expect(await Reaction.countDocuments({ message: m._id })).toBe(1);

    // Another emoji, another person, over HTTP; then taken back.
    const hearts = await http(alice)
      .post(`/room/${room}/messages/${m._id}/reactions`)
      .send({ emoji: '❤️' });
    expect(hearts.status).toBe(200);
    expect(hearts.body.reactions).toEqual({ '👍': [bob.pid], '❤️': [alice.pid] });
    expect(await ask(bob.socket, 'react', { _id: m._id, emoji: '👍', on: false })).toMatchObject({
      ok: true,
      data: { reactions: { '❤️': [alice.pid] } },
    });

    // History carries the counts.
    const page = await alice.v.agent.get(`/room/${room}/chats`).expect(200);
    const found = (page.body.messages as ChatMessage[]).find((x) => x._id === m._id);
    expect(found?.reactions).toEqual({ '❤️': [alice.pid] });
  });

  test('two identical reactions at once are counted once', async () => {
    const { alice, bob } = await newRoom();
    const m = await say(alice, 'race me');
    const second = await bob.v.socket();
    await ask(second, 'join', { room: m.room });
    const results = await Promise.all([
      ask(bob.socket, 'react', { _id: m._id, emoji: '🎉' }),
      ask(second, 'react', { _id: m._id, emoji: '🎉' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)[0]?.error?.code).toBe('already_reacted');
    expect(await Reaction.countDocuments({ message: m._id, emoji: '🎉' })).toBe(1);
  });

  test('an emoji outside the set, an unknown message or a whisper of others are refused', async () => {
    const { room, alice, bob } = await newRoom();
    const m = await say(alice, 'hi');
    expect(await ask(bob.socket, 'react', { _id: m._id, emoji: '💩' })).toMatchObject({
      ok: false,
      error: { code: 'field_invalid' },
    });
    expect(
      await ask(bob.socket, 'react', { _id: '0123456789abcdef01234567', emoji: '👍' }),
    ).toMatchObject({ ok: false, error: { code: 'message_not_found' } });
    const carol = await enter(room);
    const whisper = await ask<{ message: ChatMessage }>(alice.socket, 'whisper', {
      to: bob.pid,
      chat: 'just us',
    });
    expect(
      await ask(carol.socket, 'react', { _id: whisper.data!.message._id, emoji: '👍' }),
    ).toMatchObject({ ok: false, error: { code: 'message_not_found' } });
    expect(await Reaction.countDocuments({ room })).toBe(0);
  });
});

describe('replies', () => {
  test('a reply carries the quoted name and snippet, over the socket and HTTP', async () => {
    const { room, alice, bob } = await newRoom();
    await ask(alice.socket, 'nick', 'Alice');
    const original = await say(alice, 'what do you think about GIFs in general?');
    const heard = next<ChatMessage>(alice.socket, 'chat', (m) => m.chat === 'love them');
    const reply = await say(bob, 'love them', { replyTo: original._id });
    expect(reply.replyTo).toEqual({
      _id: original._id,
      seq: original.seq,
      nick: 'Alice',
      snippet: 'what do you think about GIFs in general?',
    });
    expect((await heard).replyTo?._id).toBe(original._id);
    const viaHttp = await http(bob)
      .post(`/room/${room}/chat`)
      .send({ chat: 'and again', replyTo: original._id });
    expect(viaHttp.status).toBe(201);
    expect(viaHttp.body.replyTo.nick).toBe('Alice');
    expect(
      await ask(bob.socket, 'chat', { chat: 'to nothing', replyTo: '0123456789abcdef01234567' }),
    ).toMatchObject({ ok: false, error: { code: 'message_not_found' } });
  });
});

describe('edit and delete', () => {
  test('the author edits (marked edited, told live); editing someone else’s is refused with no change', async () => {
    const { room, alice, bob } = await newRoom();
    const m = await say(alice, 'teh typo');
    const heard = next<ChatMessage>(bob.socket, 'edit');
    const res = await ask<ChatMessage>(alice.socket, 'edit', { _id: m._id, chat: 'the typo' });
    expect(res).toMatchObject({ ok: true, data: { _id: m._id, seq: m.seq, chat: 'the typo' } });
    expect(res.data?.editedAt).toEqual(expect.any(String));
    expect(await heard).toMatchObject({ _id: m._id, chat: 'the typo' });

    expect(await ask(bob.socket, 'edit', { _id: m._id, chat: 'hijacked' })).toMatchObject({
      ok: false,
      error: { code: 'not_author' },
    });
    const viaHttp = await http(bob).patch(`/room/${room}/messages/${m._id}`).send({ chat: 'no' });
    expect(viaHttp.status).toBe(403);
    expect(await ask(bob.socket, 'delete', { _id: m._id })).toMatchObject({
      ok: false,
      error: { code: 'not_author' },
    });
    expect((await Message.findById(m._id).lean())?.chat).toBe('the typo');
    // History (served from memory) shows the edit.
    const page = await bob.v.agent.get(`/room/${room}/chats`).expect(200);
    expect((page.body.messages as ChatMessage[]).find((x) => x._id === m._id)?.chat).toBe(
      'the typo',
    );
  });

  test('a deleted message leaves a "deleted" line; its GIF file goes', async () => {
    const { room, alice, bob } = await newRoom();
    const m = await say(alice, 'regrettable');
    const heard = next<ChatMessage>(bob.socket, 'delete');
    const res = await http(alice).delete(`/room/${room}/messages/${m._id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ _id: m._id, deleted: true });
    expect(res.body.chat).toBeUndefined();
    expect(await heard).toMatchObject({ _id: m._id, deleted: true });
    expect(await ask(alice.socket, 'edit', { _id: m._id, chat: 'undo' })).toMatchObject({
      ok: false,
      error: { code: 'message_deleted' },
    });
    const page = await bob.v.agent.get(`/room/${room}/chats`).expect(200);
    const shown = (page.body.messages as ChatMessage[]).find((x) => x._id === m._id);
    expect(shown).toMatchObject({ deleted: true });
    expect(shown?.chat).toBeUndefined();

    const upload = await http(alice).post(`/room/${room}/gif`).attach('gif', GIF_BYTES, 'a.gif');
    expect(upload.status).toBe(201);
    const gif = upload.body as ChatMessage;
    const file = `/gif/${gif.gif!.split('/').pop()}`;
    await alice.v.agent.get(file).expect(200);
    expect(await ask(alice.socket, 'delete', { _id: gif._id })).toMatchObject({ ok: true });
    await alice.v.agent.get(file).expect(404);
  });

  test('an edit racing a delete: the delete wins, whatever the order', async () => {
    const { room, alice } = await newRoom();
    // Two tabs of one person: their events run side by side (one tab's run in order).
    const tab = await alice.v.socket();
    await ask(tab, 'join', { room });
    for (let round = 0; round < 6; round++) {
      const m = await say(alice, `round ${round}`);
      const editing = () => ask(alice.socket, 'edit', { _id: m._id, chat: `edited ${round}` });
      const deleting = () => ask(tab, 'delete', { _id: m._id });
      // Sent in either order, each round.
      const [edit, del] =
        round % 2
          ? await Promise.all([editing(), deleting()])
          : await Promise.all([deleting(), editing()]).then(([d, e]) => [e, d] as const);
      expect(del.ok).toBe(true);
      if (!edit.ok) expect(edit.error?.code).toBe('message_deleted');
      const stored = await Message.findById(m._id).lean();
      expect(stored?.deleted).toBe(true);
      expect(stored?.chat).toBeUndefined();
      expect(await Deletion.exists({ _id: m._id })).toBeTruthy();
    }
  });

  test('a muted person cannot edit or react', async () => {
    const { alice, bob } = await newRoom();
    const m = await say(bob, 'before the mute');
    await ask(alice.socket, 'mute', { pid: bob.pid, muted: true });
    expect(await ask(bob.socket, 'edit', { _id: m._id, chat: 'sneaky' })).toMatchObject({
      ok: false,
      error: { code: 'muted' },
    });
    expect(await ask(bob.socket, 'react', { _id: m._id, emoji: '👍' })).toMatchObject({
      ok: false,
      error: { code: 'muted' },
    });
  });
});
