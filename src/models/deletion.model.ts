import { Schema, model } from 'mongoose';
import { claimed } from '../lib/mongo';

/**
 * A message its author deleted, keyed by the message's id. FerretDB writes an update back as the
 * whole document, so an edit racing a delete could bring deleted text back; the tombstone's insert
 * is atomic, and an edit that finds it afterwards scrubs the text again: delete always wins.
 */
const deletionSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    room: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export const Deletion = model('Deletion', deletionSchema);

/** Marks the message deleted; false when it already was. */
export function claimDeletion(room: string, message: string): Promise<boolean> {
  return claimed(Deletion.create({ _id: message, room }));
}

export async function isDeleted(message: string): Promise<boolean> {
  return Boolean(await Deletion.exists({ _id: message }));
}
