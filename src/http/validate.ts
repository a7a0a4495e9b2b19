import { z } from 'zod';
import type { Types } from 'mongoose';
import type { Request } from 'express';
import { RoomNotFound } from '../errors';
import { parseObjectId } from '../lib/mongo';

const text = (max: number) =>
  z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().max(max, `at most ${max} characters`));

export const newRoomSchema = z.object({
  title: text(60).pipe(z.string().min(1, 'give the room a title')),
  max: z
    .union([z.number(), z.string().trim()])
    .optional()
    .transform((v) => (v === undefined || v === '' ? 10 : Number(v)))
    .pipe(
      z
        .number()
        .int('max must be a whole number')
        .min(2, 'max is at least 2')
        .max(100, 'max is at most 100'),
    ),
  password: z
    .string()
    .max(100, 'password is at most 100 characters')
    .optional()
    .transform((p) => p || undefined),
});

export const chatSchema = z.object({
  chat: text(1000).pipe(z.string().min(1, 'write something first')),
});

export const passwordSchema = z.object({ password: z.string().min(1).max(100) });

export const historyQuery = z.object({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** The `:id` route param as an ObjectId; anything malformed is an unknown room. */
export function roomId(req: Request): Types.ObjectId {
  const id = parseObjectId(req.params.id);
  if (!id) throw new RoomNotFound();
  return id;
}
