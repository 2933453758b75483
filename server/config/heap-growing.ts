import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow past what survived the last full
 * collection (`HEAP_GROWING_PERCENT`; 0 leaves V8's own factor). Under load V8
 * picks up to +300% when collections are fast, and the garbage promoted meanwhile
 * is what sets the peak RSS. The flag is read at every collection, so setting it
 * once the process runs takes effect from the next one.
 */
export function applyHeapGrowing(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
