import { configChanged } from '../snapshot/config-changed.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { SettingsStore } from '../settings/store.js';
import type { ConfigChange, ConfigChangeListener } from './change.js';

/** What the after-change step refreshes: each a narrow view of the store that owns it. */
export interface AfterChangeDeps {
  /** Rebuilt after every change; a `local` reload is announced to the other instances by scale-out (server/scaleout/config-sync.ts). */
  snapshot: Pick<SnapshotStore, 'reload'>;
  settings: Pick<SettingsStore, 'load'>;
  /** The health scheduler re-reads its targets. */
  health?: { targetsChanged(): Promise<void> };
  /** A failing audit listener is reported here and never fails the change it hears about. */
  onListenerError?: (error: unknown, change: ConfigChange) => void;
}

/**
 * The one after-change step for configuration written to the database. Every
 * write of the configuration service ends here, so no change can leave the
 * request path on stale configuration.
 */
export class AfterChange {
  private readonly listeners = new Set<ConfigChangeListener>();

  constructor(private readonly deps: AfterChangeDeps) {}

  /** Subscribes an audit listener (called once per change, after the refresh); returns the unsubscribe. */
  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async run(changes: readonly ConfigChange[]): Promise<void> {
    if (changes.length === 0) return;
    await configChanged(this.deps);
    for (const change of changes) {
      for (const listener of this.listeners) {
        try {
          await listener(change);
        } catch (error) {
          this.deps.onListenerError?.(error, change);
        }
      }
    }
  }
}
