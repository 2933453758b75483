import type { SettingsStore } from '../settings/store.js';
import type { SnapshotStore } from './store.js';

/**
 * The refresh after configuration was written to the database: the snapshot is
 * rebuilt (a `local` reload, which scale-out announces to the other instances,
 * see server/scaleout/config-sync.ts), settings are re-read, and the health
 * scheduler picks up edited targets. Configuration writes go through
 * server/config-service, whose after-change step runs this and then the audit
 * listeners; calling it directly skips the audit.
 */
export async function configChanged(stores: {
  snapshot: Pick<SnapshotStore, 'reload'>;
  settings: Pick<SettingsStore, 'load'>;
  health?: { targetsChanged(): Promise<void> };
}): Promise<void> {
  await Promise.all([stores.snapshot.reload('local'), stores.settings.load()]);
  await stores.health?.targetsChanged();
}
