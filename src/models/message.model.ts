import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { SYSTEM_TEXT, type SystemKind } from './message.kinds';

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
    // Whisper recipient pid; whispers are only ever shown to sender and recipient.
    to: { type: String },
    // System messages: what happened and to whom, so each browser can say it in its language.
    kind: { type: String, enum: Object.keys(SYSTEM_TEXT) as SystemKind[] },
    name: { type: String },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
messageSchema.index({ room: 1, seq: 1 }, { unique: true });

export type MessageDoc = InferSchemaType<typeof messageSchema> & { _id: Types.ObjectId };
export const Message = model('Message', messageSchema);
