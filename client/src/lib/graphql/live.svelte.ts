import { graphql } from '$lib/graphql/generated';
import { session } from '$lib/stores/session.svelte';

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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const { unsubscribe } = session.client.subscription(ConfigChangedSubscription, {}).subscribe((result) => {
    if (!result.data) return;
    // Bulk edits fire bursts of events; one refetch is enough.
    clearTimeout(timer);
    timer = setTimeout(() => configChanges.version++, 250);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
