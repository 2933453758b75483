/**
 * Namespaced names: a tool or prompt of server `docs` named `search` is offered
 * as `docs__search`, so servers never collide. Server names cannot contain `__`
 * (config-service/mcp.ts), so the first `__` splits a name back.
 */
export const NAMESPACE_SEPARATOR = '__';

export const SERVER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,47}$/;

export function namespaced(server: string, name: string): string {
  return `${server}${NAMESPACE_SEPARATOR}${name}`;
}

export function splitNamespaced(name: string): { server: string; name: string } | undefined {
  const at = name.indexOf(NAMESPACE_SEPARATOR);
  if (at <= 0 || at + NAMESPACE_SEPARATOR.length >= name.length) return undefined;
  return { server: name.slice(0, at), name: name.slice(at + NAMESPACE_SEPARATOR.length) };
}
