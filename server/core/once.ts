/**
 * A value made on the first call and kept for every later one: the modules of a
 * feature loaded on first use (`once(() => import('pkg'))`). A maker that
 * throws is tried again on the next call; a rejected promise is kept, like a
 * failed static import.
 */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
