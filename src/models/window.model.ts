import { Schema, model, type Types } from 'mongoose';
import type { ChatMessage } from '../services/types';

/**
 * A room's newest messages as the process that served the site alone left them when it closed
 * (ChatService.handOver): the next process starts from them instead of reading them from the
 * messages collection, which FerretDB over SQLite answers by scanning every stored message.
 * Read once and deleted at start; trusted only if no other process ran after they were written.
 */
const windowSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    /** The process that wrote it, and when (after its last save). */
    writer: { type: String, required: true },
    at: { type: Date, required: true },
    messages: { type: [Schema.Types.Mixed], default: [] },
    /** Nothing older is stored: the room's whole history is here. */
    fromStart: { type: Boolean, required: true },
  },
  { versionKey: false },
);

export interface WindowDoc {
  _id: Types.ObjectId;
  writer: string;
  at: Date;
  messages: ChatMessage[];
  fromStart: boolean;
}

export const HandedWindow = model('HandedWindow', windowSchema, 'windows');
