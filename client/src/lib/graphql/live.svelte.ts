import { graphql } from '$lib/graphql/generated';
import { debounce, subscribe } from './subscribe';

const ConfigChangedSubscription = graphql(`
  subscription ConfigChanged {
    configChanged {
      version
      at
    }
  }
`);

/** Bumped whenever the gateway announces a config change; live queries re-run on it. */
export const configChanges = $state({ version: 0 });

/**
 * Listens to `configChanged` so lists follow edits made elsewhere (another
 * admin, automation). Returns the unsubscribe function.
 */
export function watchConfigChanges(): () => void {
  // Bulk edits fire bursts of events; one refetch is enough.
  const bump = debounce(() => configChanges.version++, 250);
  const unsubscribe = subscribe(ConfigChangedSubscription, {}, bump);
  return () => {
    bump.cancel();
    unsubscribe();
  };
}
