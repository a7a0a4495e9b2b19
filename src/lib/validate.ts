import type { z } from 'zod';
import { BadRequest } from '../errors';

/** Field errors for forms, keyed by field name. */
export type FieldErrors = Partial<Record<string, string>>;

export function parse<T extends z.ZodType>(
  schema: T,
  input: unknown,
): { ok: true; data: z.output<T> } | { ok: false; errors: FieldErrors; message: string } {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??=
      issue.code === 'invalid_type' ? `${field} is missing or not text` : issue.message;
  }
  return { ok: false, errors, message: Object.values(errors)[0] ?? 'bad request' };
}

/** Parses or throws a 400 naming the first problem. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = parse(schema, input);
  if (!result.ok) throw new BadRequest(result.message);
  return result.data;
}
