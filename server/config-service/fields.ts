import { z } from 'zod';

/** A name clients use to ask for a model or virtual model (both share one name space). */
export const publicName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(200)
  .regex(/^[\w.:/@-]+$/, 'may contain letters, digits and . _ - : / @ only');

/** Drops absent and null fields, for inputs where null means "leave as is". */
export const withoutNullish = <T extends Record<string, unknown>>(o: T | null | undefined) =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined && v !== null)) as { [K in keyof T]?: NonNullable<T[K]> };

/** Drops absent fields, keeping explicit nulls (null clears). */
export const withoutUndefined = <T extends Record<string, unknown>>(o: T | null | undefined) =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
