import { Schema, model } from 'mongoose';

/** A tombstone keyed by room id: whoever inserts it first performs the removal, exactly once. */
const removalSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export const Removal = model('Removal', removalSchema);
