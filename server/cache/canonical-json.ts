/**
 * A stable JSON text for hashing: object keys sorted, `undefined` members
 * left out (as JSON.stringify does), so two requests that mean the same give
 * the same text whatever order their fields were built in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .flatMap((name) => {
      const member = (value as Record<string, unknown>)[name];
      return member === undefined ? [] : [`${JSON.stringify(name)}:${canonicalJson(member)}`];
    });
  return `{${entries.join(',')}}`;
}
