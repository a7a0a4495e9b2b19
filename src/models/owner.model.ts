import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * Ownership as an append-only log: the highest epoch is the owner. Changing owner means inserting
 * epoch n+1, which the unique index lets exactly one contender do, so there is never a second owner.
 */
const ownerSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, required: true },
    epoch: { type: Number, required: true },
    session: { type: String, required: true },
    pid: { type: String, required: true },
    user: { type: String, required: true },
  },
  { versionKey: false },
);
ownerSchema.index({ room: 1, epoch: 1 }, { unique: true });

export type OwnerDoc = InferSchemaType<typeof ownerSchema> & { _id: Types.ObjectId };
export const Owner = model('Owner', ownerSchema);
