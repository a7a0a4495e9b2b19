import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

const roomSchema = new Schema(
  {
    title: { type: String, required: true, maxlength: 60 },
    max: { type: Number, required: true, min: 2, max: 100 },
    // scrypt hash; never selected unless asked for, never sent anywhere.
    passwordHash: { type: String, select: false },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export type RoomDoc = InferSchemaType<typeof roomSchema> & { _id: Types.ObjectId };
export const Room = model('Room', roomSchema);
