import { z } from 'zod';
import type { Request } from 'express';
import { RoomNotFound } from '../errors';
import { parseRoomId, type RoomId } from '../lib/room-id';
import { LIMITS } from '../limits';

const trimmed = () => z.string('field_invalid').transform((s) => s.trim());

export const newRoomSchema = z.object({
  title: trimmed().pipe(
    z.string().min(LIMITS.title.min, 'title_required').max(LIMITS.title.max, 'text_too_long'),
  ),
  max: z
    .union([z.number(), z.string().trim()], 'field_invalid')
    .optional()
    .transform((v) => (v === undefined || v === '' ? 10 : Number(v)))
    .pipe(
      z
        .number()
        .int('max_not_integer')
        .min(LIMITS.people.min, 'max_too_small')
        .max(LIMITS.people.max, 'max_too_large'),
    ),
  password: z
    .string('field_invalid')
    .max(LIMITS.password.max, 'password_too_long')
    .optional()
    .transform((p) => p || undefined),
});

/** A client's id for one message, so a retried send never makes a second one. */
export const cidSchema = z.string().regex(/^[\w-]{8,64}$/, 'field_invalid');

/** A saved message's id (24 hex characters). */
export const messageIdSchema = z
  .string('field_invalid')
  .regex(/^[0-9a-f]{24}$/i, 'field_invalid')
  .transform((id) => id.toLowerCase());

const chatText = () =>
  trimmed().pipe(
    z.string().min(LIMITS.chat.min, 'text_required').max(LIMITS.chat.max, 'text_too_long'),
  );

export const chatSchema = z.object({
  chat: chatText(),
  cid: cidSchema.optional(),
  replyTo: messageIdSchema.optional(),
});

export const editSchema = z.object({ _id: messageIdSchema, chat: chatText() });

export const reactSchema = z.object({
  _id: messageIdSchema,
  emoji: z.enum(LIMITS.reactions, 'field_invalid'),
  on: z.boolean('field_invalid').default(true),
});

export const messageRef = z.object({ _id: messageIdSchema });

export const decideSchema = z.object({
  _id: messageIdSchema,
  action: z.enum(['remove', 'dismiss'], 'field_invalid'),
});

export const ignoreSchema = z.object({
  pid: z.string('field_invalid').min(1).max(64),
  ignored: z.boolean('field_invalid'),
});

/** A session hides at most this many people. */
export const IGNORED_MAX = 200;

/** The session's list of hidden people after `pid` is hidden (or shown again). */
export function ignoring(list: string[] | undefined, pid: string, ignored: boolean): string[] {
  const rest = (list ?? []).filter((p) => p !== pid);
  return ignored ? [...rest, pid].slice(-IGNORED_MAX) : rest;
}

/** The owner's settings: at least one of them. */
export const settingsSchema = z
  .object({
    locked: z.boolean('field_invalid').optional(),
    slowSeconds: z
      .number('field_invalid')
      .int('field_invalid')
      .min(LIMITS.slowSeconds.min, 'field_invalid')
      .max(LIMITS.slowSeconds.max, 'field_invalid')
      .optional(),
  })
  .refine((s) => s.locked !== undefined || s.slowSeconds !== undefined, 'field_invalid');

export const muteSchema = z.object({
  pid: z.string('field_invalid').min(1).max(64),
  muted: z.boolean('field_invalid'),
});

export const gifFieldsSchema = z.object({ cid: cidSchema.optional() });

export const passwordSchema = z.object({
  password: z.string().min(LIMITS.password.min).max(LIMITS.password.max),
});

export const historyQuery = z.object({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** The `:id` route param as a room id; anything malformed is an unknown room. */
export function roomId(req: Request): RoomId {
  const id = parseRoomId(req.params.id);
  if (!id) throw new RoomNotFound();
  return id;
}

/** A stored GIF named by its file name, its URL or its content id. */
export const gifRefSchema = z
  .string('field_invalid')
  .max(80, 'field_invalid')
  .regex(/^(?:\/gif\/)?[0-9a-f]{32,64}(?:\.gif)?$/, 'field_invalid');

/** `POST /room/:id/gif` without a file: send a stored GIF again. */
export const resendSchema = z.object({ gif: gifRefSchema, cid: cidSchema.optional() });

export const pickerQuery = z.object({
  tab: z.enum(['recent', 'popular'], 'field_invalid').default('recent'),
  q: z.string('field_invalid').max(80, 'text_too_long').optional(),
  room: z.string('field_invalid').max(64).optional(),
});
