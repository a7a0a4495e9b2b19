import { z } from 'zod';
import { cidSchema, gifRefSchema, messageIdSchema } from '../http/validate';
import { LIMITS } from '../limits';
import { isReservedName } from '../lib/names';

/** What browsers may send on /chat, checked before anything reaches a service. */
export const joinSchema = z.union([
  z.string(),
  z.object({
    room: z.string(),
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
]);

const text = z
  .string('field_invalid')
  .transform((s) => s.trim())
  .pipe(z.string().min(LIMITS.chat.min, 'text_required').max(LIMITS.chat.max, 'text_too_long'));

export const chatSchema = z.object({
  chat: text,
  cid: cidSchema.optional(),
  replyTo: messageIdSchema.optional(),
});

export const nickSchema = z
  .string('field_invalid')
  .transform((s) => s.trim().replace(/\s+/g, ' '))
  .refine((s) => s.length >= LIMITS.nick.min && s.length <= LIMITS.nick.max, {
    message: 'nick_length',
    params: LIMITS.nick,
  })
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'nick_control')
  .refine((s) => !isReservedName(s), 'nick_reserved');

export const whisperSchema = z.object({ to: z.string().min(1).max(64), chat: text });

export const targetSchema = z.object({ pid: z.string().min(1).max(64) });

export const gifSchema = z.object({ name: gifRefSchema, cid: cidSchema.optional() });
