import { builder } from './builder.js';

/**
 * A GraphQL enum over string values, each described: a value's GraphQL name is
 * the value in upper case, dashes as underscores (`set_system` → SET_SYSTEM,
 * `chat-verdict` → CHAT_VERDICT).
 */
export function describedEnum<const V extends string>(name: string, descriptions: Record<V, string>) {
  const values = Object.fromEntries(
    (Object.entries(descriptions) as Array<[V, string]>).map(([value, description]) => [value.toUpperCase().replace(/-/g, '_'), { value, description }]),
  ) as Record<string, { value: V; description: string }>;
  return builder.enumType(name, { values });
}
