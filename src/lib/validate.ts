import type { z } from 'zod';
import { BadRequest, type ErrorBody, type ErrorCode } from '../errors';
import { en } from '../i18n/en';
import type { Params } from '../i18n/fill';

/** A field's refusal, by code: forms show it next to the field, in the reader's language. */
export type FieldError = Pick<ErrorBody, 'code' | 'params'>;
export type FieldErrors = Partial<Record<string, FieldError>>;

const isCode = (value: string): value is ErrorCode => Object.hasOwn(en.errors, value);

/**
 * Schemas name their refusals by error code (`.max(60, 'text_too_long')`); the limits zod reports
 * become the parameters (`{ max: 60 }`), so the dictionaries hold the only wording.
 */
function fieldError(issue: z.core.$ZodIssue): FieldError {
  const code = isCode(issue.message) ? issue.message : 'field_invalid';
  const params: Params = {};
  // Custom checks (`refine`) pass their own parameters.
  if (issue.code === 'custom' && issue.params) Object.assign(params, issue.params);
  if ('maximum' in issue) params.max = Number(issue.maximum);
  if ('minimum' in issue) params.min = Number(issue.minimum);
  return Object.keys(params).length ? { code, params } : { code };
}

export function parse<T extends z.ZodType>(
  schema: T,
  input: unknown,
): { ok: true; data: z.output<T> } | { ok: false; errors: FieldErrors; first: FieldError } {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues)
    errors[String(issue.path[0] ?? 'form')] ??= fieldError(issue);
  return { ok: false, errors, first: Object.values(errors)[0] ?? { code: 'bad_request' } };
}

/** Parses or throws a 400 naming the first problem. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = parse(schema, input);
  if (!result.ok) throw new BadRequest(result.first.code, result.first.params);
  return result.data;
}
