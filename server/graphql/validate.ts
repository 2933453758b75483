import type { z } from 'zod';
import { fromZod } from './errors.js';

/** Validates GraphQL input with a zod schema; a failure becomes a BAD_USER_INPUT error naming the field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw fromZod(result.error);
  return result.data;
}

/** Common paging arguments: `skip` (default 0) and `take` (default 50, at most 500). */
export function paging(args: { skip?: number | null; take?: number | null }): { skip: number; take: number } {
  const skip = Math.max(0, args.skip ?? 0);
  const take = Math.min(500, Math.max(1, args.take ?? 50));
  return { skip, take };
}

/** Drops absent (GraphQL gives `undefined` for omitted fields) or also null fields of an input. */
export { withoutNullish, withoutUndefined } from '../config-service/fields.js';
