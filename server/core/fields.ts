/** `T`'s fields `K`, an optional one as nullable instead. */
export type AbsentAsNull<T, K extends keyof T> = { [P in K]: undefined extends T[P] ? Exclude<T[P], undefined> | null : T[P] };
/** `T`'s fields `K`, a nullable one as optional instead. */
export type NullAsAbsent<T, K extends keyof T> = { [P in K]: null extends T[P] ? Exclude<T[P], null> | undefined : T[P] };

/** The named fields of `source`, an absent one as null (how a nullable database column is written). */
export function absentAsNull<T extends object, K extends keyof T>(source: T, keys: readonly K[]): AbsentAsNull<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key] ?? null])) as AbsentAsNull<T, K>;
}

/** The named fields of `source`, a null one as absent (how a nullable database column is read). */
export function nullAsAbsent<T extends object, K extends keyof T>(source: T, keys: readonly K[]): NullAsAbsent<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key] ?? undefined])) as NullAsAbsent<T, K>;
}
