import type { SettingsStore } from '../settings/store.js';
import type { SnapshotStore } from './store.js';

/**
 * The one after-change path for configuration written to the database: the
 * snapshot is rebuilt (a `local` reload, which scale-out announces to the other
 * instances, see server/scaleout/config-sync.ts), settings are re-read, and the
 * health scheduler picks up edited targets.
 */
export async function configChanged(stores: {
  snapshot: SnapshotStore;
  settings: SettingsStore;
  health?: { targetsChanged(): Promise<void> };
}): Promise<void> {
  await Promise.all([stores.snapshot.reload('local'), stores.settings.load()]);
  await stores.health?.targetsChanged();
}
