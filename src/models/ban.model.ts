import { Schema, model } from 'mongoose';

const banSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, required: true },
    session: { type: String, required: true },
  },
  { versionKey: false },
);
banSchema.index({ room: 1, session: 1 }, { unique: true });

export const Ban = model('Ban', banSchema);
