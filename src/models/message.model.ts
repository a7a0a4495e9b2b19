import { createHash } from 'node:crypto';
import { Schema, model, Types as MongooseTypes, type InferSchemaType, type Types } from 'mongoose';
import { Deletion } from './deletion.model';
import { SYSTEM_TEXT, type SystemKind } from './message.kinds';
import { Reaction } from './reaction.model';
import { Report, ReportDecision } from './report.model';

export { SYSTEM_TEXT, type SystemKind };

const messageSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, required: true },
    // Per-room sequence number; the unique index is what keeps it unique across writers.
    seq: { type: Number, required: true },
    user: { type: String, required: true },
    pid: { type: String },
    nick: { type: String },
    chat: { type: String },
    gif: { type: String },
    // A GIF's derivatives (URLs like `gif`), its size for the box, and the name it was uploaded
    // with (the picker searches it). Older GIF messages have only `gif`.
    poster: { type: String },
    video: { type: String },
    width: { type: Number },
    height: { type: Number },
    gifName: { type: String },
    // Whisper recipient pid; whispers are only ever shown to sender and recipient.
    to: { type: String },
    // System messages: what happened and to whom, so each browser can say it in its language.
    kind: { type: String, enum: Object.keys(SYSTEM_TEXT) as SystemKind[] },
    name: { type: String },
    // The sender's id for this message: a retried send carries it again (see messageIdFor).
    cid: { type: String },
    // Conversation tools (services/conversation.ts): the message answered, when it was last
    // edited, and whether its author deleted it (then its text and GIF are gone).
    replyTo: {
      type: new Schema(
        { _id: String, seq: Number, nick: String, snippet: String, gif: Boolean },
        { _id: false },
      ),
      default: undefined,
    },
    editedAt: { type: Date },
    deleted: { type: Boolean },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
messageSchema.index({ room: 1, seq: 1 }, { unique: true });

export type MessageDoc = InferSchemaType<typeof messageSchema> & { _id: Types.ObjectId };
export const Message = model('Message', messageSchema);

/**
 * The id of a message a client numbered: a hash of room, sender and client id. A retried send
 * collides on `_id`, whose unique index every server enforces atomically, so it can never make a
 * second message (a lookup before inserting could: two retries may both look first).
 */
export function messageIdFor(room: string, pid: string, cid: string): Types.ObjectId {
  const hash = createHash('sha256').update(`${room}\n${pid}\n${cid}`).digest();
  return new MongooseTypes.ObjectId(hash.subarray(0, 12));
}

/**
 * Deletes messages and what hangs on them (reactions, reports, the owner's decisions, deletion
 * tombstones), so retention bounds those too: they were only ever removed with their room.
 */
export async function deleteMessages(ids: Types.ObjectId[]): Promise<void> {
  if (ids.length === 0) return;
  await Message.deleteMany({ _id: { $in: ids } });
  await deleteWhatHangsOn(ids);
}

/**
 * Deletes the reactions, reports, decisions and tombstones of messages that are gone. A reaction
 * or report checks its message exists before it is inserted, so one made as its message was
 * deleted can land after this: whoever deleted the messages runs it again later.
 */
export async function deleteWhatHangsOn(ids: Types.ObjectId[]): Promise<void> {
  if (ids.length === 0) return;
  await Promise.all([
    Reaction.deleteMany({ message: { $in: ids } }),
    Report.deleteMany({ message: { $in: ids } }),
    ReportDecision.deleteMany({ _id: { $in: ids } }),
    Deletion.deleteMany({ _id: { $in: ids } }),
  ]);
}
