import { tr } from '$lib/i18n';
/**
 * Small field-level validation for forms: each check returns an error message
 * or undefined, and `errors` collects them by field name.
 */
export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

export function positiveInt(text: string, label = tr('appForms.value')): string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? undefined : tr('appForms.mustBeAWholeNumber', { label });
}

export function nonNegative(text: string, label = tr('appForms.value')): string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? undefined : tr('appForms.mustBeANumber0', { label });
}

export function positive(text: string, label = tr('appForms.value')): string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? undefined : tr('appForms.mustBeANumberAbove', { label });
}

export function required(text: string, label = tr('appForms.thisField')): string | undefined {
  return text.trim() === '' ? tr('appForms.isRequired', { label }) : undefined;
}

export function hasErrors<Field extends string>(errors: FieldErrors<Field>): boolean {
  return Object.values(errors).some(Boolean);
}
