import { z } from 'zod';
import type { Request } from 'express';
import { RoomNotFound } from '../errors';
import { parseRoomId, type RoomId } from '../lib/room-id';

/** What the browser is told of the limits below, so it never keeps copies of them. */
export const LIMITS = { title: 60, text: 1000, password: 100, maxMin: 2, maxMax: 100 } as const;

const trimmed = () => z.string('field_invalid').transform((s) => s.trim());

export const newRoomSchema = z.object({
  title: trimmed().pipe(z.string().min(1, 'title_required').max(LIMITS.title, 'text_too_long')),
  max: z
    .union([z.number(), z.string().trim()], 'field_invalid')
    .optional()
    .transform((v) => (v === undefined || v === '' ? 10 : Number(v)))
    .pipe(
      z
        .number()
        .int('max_not_integer')
        .min(LIMITS.maxMin, 'max_too_small')
        .max(LIMITS.maxMax, 'max_too_large'),
    ),
  password: z
    .string('field_invalid')
    .max(LIMITS.password, 'password_too_long')
    .optional()
    .transform((p) => p || undefined),
});

/** A client's id for one message, so a retried send never makes a second one. */
export const cidSchema = z.string().regex(/^[\w-]{8,64}$/, 'field_invalid');

export const chatSchema = z.object({
  chat: trimmed().pipe(z.string().min(1, 'text_required').max(LIMITS.text, 'text_too_long')),
  cid: cidSchema.optional(),
});

export const gifFieldsSchema = z.object({ cid: cidSchema.optional() });

export const passwordSchema = z.object({ password: z.string().min(1).max(LIMITS.password) });

export const historyQuery = z.object({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** The `:id` route param as a room id; anything malformed is an unknown room. */
export function roomId(req: Request): RoomId {
  const id = parseRoomId(req.params.id);
  if (!id) throw new RoomNotFound();
  return id;
}
