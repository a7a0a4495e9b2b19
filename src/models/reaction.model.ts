import { createHash } from 'node:crypto';
import { Schema, model, Types } from 'mongoose';
import { claimed } from '../lib/mongo';

/**
 * One person's reaction with one emoji to one message: a document whose `_id` is derived from
 * message, person and emoji, so the unique `_id` index makes "one of each per person per message"
 * hold however many reactions race, on any number of processes. Counts are derived from these.
 */
const reactionSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    room: { type: Schema.Types.ObjectId, required: true },
    message: { type: Schema.Types.ObjectId, required: true },
    pid: { type: String, required: true },
    emoji: { type: String, required: true },
  },
  { versionKey: false },
);

export const Reaction = model('Reaction', reactionSchema);

/** Who reacted with what: emoji → the pids of the people, in the set's order. */
export type Tally = Record<string, string[]>;

const reactionId = (message: string, pid: string, emoji: string) =>
  new Types.ObjectId(
    createHash('sha256').update(`${message}\n${pid}\n${emoji}`).digest().subarray(0, 12),
  );

/** Adds the reaction; false when this person had already reacted so. */
export function addReaction(room: string, message: string, pid: string, emoji: string) {
  return claimed(
    Reaction.create({ _id: reactionId(message, pid, emoji), room, message, pid, emoji }),
  );
}

/** Takes the reaction back; false when there was none. */
export async function removeReaction(message: string, pid: string, emoji: string) {
  const { deletedCount } = await Reaction.deleteOne({ _id: reactionId(message, pid, emoji) });
  return deletedCount > 0;
}

/** The reactions of these messages (or of a whole room), by message id. */
export async function talliesOf(filter: string[] | { room: string }): Promise<Map<string, Tally>> {
  const tallies = new Map<string, Tally>();
  if (Array.isArray(filter) && !filter.length) return tallies;
  const query = Array.isArray(filter) ? { message: { $in: filter } } : { room: filter.room };
  const docs = await Reaction.find(query, { message: 1, pid: 1, emoji: 1 }).lean<
    { message: Types.ObjectId; pid: string; emoji: string }[]
  >();
  for (const { message, pid, emoji } of docs) {
    const tally = tallies.get(String(message)) ?? {};
    (tally[emoji] ??= []).push(pid);
    tallies.set(String(message), tally);
  }
  return tallies;
}

export async function deleteReactionsOf(filter: { room: string } | { message: string }) {
  await Reaction.deleteMany(filter);
}
