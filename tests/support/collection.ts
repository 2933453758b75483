/**
 * Which objects the garbage collector has freed: a handler held on purpose must
 * not keep what it was given (a request's signal, its callbacks) reachable.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export interface CollectionWatch {
  /** Watches `target` under `name`. */
  register(target: object, name: string): void;
  /** Collects garbage until `count` watched objects are freed (or 20 tries), and names those freed, sorted. */
  freed(count: number): Promise<string[]>;
}

export function watchCollection(): CollectionWatch {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const collected: string[] = [];
  const registry = new FinalizationRegistry<string>((name) => collected.push(name));
  return {
    register: (target, name) => registry.register(target, name),
    async freed(count) {
      for (let i = 0; i < 20 && collected.length < count; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      return [...collected].sort();
    },
  };
}
