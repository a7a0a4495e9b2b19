import { Types } from 'mongoose';
import { Deletion } from '../../src/models/deletion.model';
import { Message } from '../../src/models/message.model';
import { addReaction, Reaction } from '../../src/models/reaction.model';
import { fileReport, Report, ReportDecision } from '../../src/models/report.model';
import {
  done,
  member,
  say,
  startHarness,
  type ChatMessage,
  type Harness,
} from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ RETENTION_DAYS: 30, MESSAGES_PER_10S: 1000 });
});
afterAll(() => h.close());

/** What hangs on one message: reactions, reports, the owner's decision, a deletion tombstone. */
async function traces(id: string) {
  const _id = new Types.ObjectId(id);
  const [reactions, reports, decisions, deletions] = await Promise.all([
    Reaction.countDocuments({ message: _id }),
    Report.countDocuments({ message: _id }),
    ReportDecision.countDocuments({ _id }),
    Deletion.countDocuments({ _id }),
  ]);
  return { reactions, reports, decisions, deletions };
}

test('retention takes a message’s reactions, reports, decisions and tombstone with it, and keeps the newer ones’', async () => {
  const ownerVisitor = await h.visitor();
  const room = await ownerVisitor.createRoom({ title: 'a month on' });
  const alice = await member(h, room, ownerVisitor);
  const bob = await member(h, room);

  const marks = async (m: ChatMessage) => {
    await done(bob, 'react', { _id: m._id, emoji: '👍' });
    await done(bob, 'report', { _id: m._id });
  };
  const reacted = [
    await say(alice, 'old, reacted and reported'),
    await say(alice, 'new, the same'),
  ];
  for (const m of reacted) await marks(m);
  // The owner decides on the old one's report; alice deletes another old message of hers.
  const decided = await alice.v.agent
    .post(`/room/${room}/reports/${reacted[0]!._id}`)
    .set('x-csrf-token', alice.v.csrf)
    .send({ action: 'dismiss' });
  expect(decided.status).toBe(200);
  const gone = await say(alice, 'old, deleted by its author');
  await done(alice, 'delete', { _id: gone._id });
  const [old, kept] = [reacted[0]!, reacted[1]!];
  expect(await traces(old._id)).toEqual({ reactions: 1, reports: 1, decisions: 1, deletions: 0 });
  expect(await traces(gone._id)).toMatchObject({ deletions: 1 });

  const aged = new Date(Date.now() - 31 * 86_400_000);
  await Message.updateMany({ _id: { $in: [old._id, gone._id] } }, { createdAt: aged });
  await h.sweeper.sweep();

  expect(await Message.countDocuments({ _id: { $in: [old._id, gone._id] } })).toBe(0);
  const none = { reactions: 0, reports: 0, decisions: 0, deletions: 0 };
  expect(await traces(old._id)).toEqual(none);
  expect(await traces(gone._id)).toEqual(none);
  // The newer message keeps everything that hangs on it.
  expect(await Message.countDocuments({ _id: kept._id })).toBe(1);
  expect(await traces(kept._id)).toEqual({ reactions: 1, reports: 1, decisions: 0, deletions: 0 });
});

test('a reaction or report that lands just after retention deleted its message goes at the next pass', async () => {
  const room = await (await h.visitor()).createRoom({ title: 'a race with retention' });
  const alice = await member(h, room);
  const old = await say(alice, 'about to age out');
  await Message.updateMany({ _id: old._id }, { createdAt: new Date(Date.now() - 31 * 86_400_000) });
  await h.sweeper.sweep();
  expect(await Message.countDocuments({ _id: old._id })).toBe(0);
  // Checked before it was deleted, inserted after its reactions and reports were.
  expect(await addReaction(room, old._id, 'bob', '👍')).toBe(true);
  expect(await fileReport(room, old._id, 'bob')).toBe(true);
  expect(await traces(old._id)).toMatchObject({ reactions: 1, reports: 1 });
  await h.sweeper.sweep();
  expect(await traces(old._id)).toEqual({ reactions: 0, reports: 0, decisions: 0, deletions: 0 });
});
