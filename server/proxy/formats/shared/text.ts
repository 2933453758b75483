/**
 * A string field of an upstream or client body, read leniently: a number becomes its
 * digits, anything else (missing, null, an object) is ''. `String(value)` would turn an
 * object into "[object Object]" and send that on as a tool name or text.
 */
export function wireText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
