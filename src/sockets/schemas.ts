import { z } from 'zod';
import { cidSchema, LIMITS } from '../http/validate';

/** What browsers may send on /chat, checked before anything reaches a service. */
export const NICK = { min: 1, max: 24 } as const;

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
  .pipe(z.string().min(1, 'text_required').max(LIMITS.text, 'text_too_long'));

export const chatSchema = z.object({ chat: text, cid: cidSchema.optional() });

export const nickSchema = z
  .string('field_invalid')
  .transform((s) => s.trim().replace(/\s+/g, ' '))
  .pipe(z.string().min(NICK.min, 'nick_length').max(NICK.max, 'nick_length'))
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'nick_control')
  .refine((s) => s.toLowerCase() !== 'system', 'nick_reserved');

export const whisperSchema = z.object({ to: z.string().min(1).max(64), chat: text });

export const targetSchema = z.object({ pid: z.string().min(1).max(64) });
