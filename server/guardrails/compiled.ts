import type { GuardrailEntry } from '../snapshot/guardrail-entry.js';
import type { ConfigSnapshot } from '../snapshot/types.js';
import { compileFinder, type Finder } from './find.js';

/** A guardrail ready to run: `find` for detectors, patterns and words (absent when it has none), or a broken config. */
export interface CompiledGuardrail {
  entry: GuardrailEntry;
  find?: Finder;
  /** Its stored config no longer compiles (saved before a rule change): it refuses requests rather than pass them unchecked. */
  broken?: string;
}

/** The enabled guardrails of one snapshot, by what they are attached to (each list in the snapshot's order). */
export interface GuardrailSet {
  byKey: ReadonlyMap<string, CompiledGuardrail[]>;
  byVirtualModel: ReadonlyMap<string, CompiledGuardrail[]>;
}

// Compiled once per snapshot (a configuration change makes a new one), on first use.
const cache = new WeakMap<readonly GuardrailEntry[], GuardrailSet>();

function compile(entry: GuardrailEntry): CompiledGuardrail {
  if (!entry.detectors.length && !entry.patterns.length && !entry.words.length) return { entry };
  try {
    return { entry, find: compileFinder(entry) };
  } catch (error) {
    return { entry, broken: (error as Error).message };
  }
}

function add(map: Map<string, CompiledGuardrail[]>, id: string, g: CompiledGuardrail): void {
  const list = map.get(id);
  if (list) list.push(g);
  else map.set(id, [g]);
}

/** The snapshot's guardrails, compiled; undefined when it has none (the plugin then stays out of every request). */
export function guardrailSet(snapshot: Pick<ConfigSnapshot, 'guardrails'>): GuardrailSet | undefined {
  const entries = snapshot.guardrails;
  if (!entries?.length) return undefined;
  let set = cache.get(entries);
  if (!set) {
    const byKey = new Map<string, CompiledGuardrail[]>();
    const byVirtualModel = new Map<string, CompiledGuardrail[]>();
    for (const entry of entries) {
      if (!entry.enabled) continue;
      const g = compile(entry);
      for (const id of entry.keyIds) add(byKey, id, g);
      for (const id of entry.virtualModelIds) add(byVirtualModel, id, g);
    }
    set = { byKey, byVirtualModel };
    cache.set(entries, set);
  }
  return set.byKey.size || set.byVirtualModel.size ? set : undefined;
}
