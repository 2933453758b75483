/**
 * Small field-level validation for forms: each check returns an error message
 * or undefined, and `errors` collects them by field name.
 */
export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

export function positiveInt(text: string, label = 'Value'): string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? undefined : `${label} must be a whole number above 0`;
}

export function nonNegative(text: string, label = 'Value'): string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? undefined : `${label} must be a number ≥ 0`;
}

export function positive(text: string, label = 'Value'): string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? undefined : `${label} must be a number above 0`;
}

export function required(text: string, label = 'This field'): string | undefined {
  return text.trim() === '' ? `${label} is required` : undefined;
}

export function hasErrors<Field extends string>(errors: FieldErrors<Field>): boolean {
  return Object.values(errors).some(Boolean);
}
