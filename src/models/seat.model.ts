import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/**
 * One document per admitted person. Capacity and "one seat per person" rest on the two unique
 * indexes, because FerretDB does not isolate read-modify-write updates of one room document.
 */
const seatSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, required: true },
    slot: { type: Number, required: true },
    session: { type: String, required: true },
    pid: { type: String, required: true },
    since: { type: Date, required: true, default: () => new Date() },
    // Refreshed by the sweeper while the person has a live tab; stale seats are released.
    lastSeen: { type: Date, required: true, default: () => new Date() },
    // Set once the room has been told this person joined, so their exit is announced too.
    announced: { type: Boolean, default: false },
  },
  { versionKey: false },
);
seatSchema.index({ room: 1, slot: 1 }, { unique: true });
seatSchema.index({ room: 1, session: 1 }, { unique: true });

export type SeatDoc = InferSchemaType<typeof seatSchema> & { _id: Types.ObjectId };
export const Seat = model('Seat', seatSchema);
