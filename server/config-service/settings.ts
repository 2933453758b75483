import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';

export interface SettingsChange {
  monitoringEnabled?: boolean;
}

export interface SettingsDeps extends Pick<EntityDeps, 'changed'> {
  /** The monitoring switch: creates the monitoring key on the first switch-on, starts or stops the scheduler. */
  monitoring: { setEnabled(on: boolean): Promise<unknown> };
}

/** Instance settings; each field is applied by the feature that owns it. */
export function settingsConfig(deps: SettingsDeps) {
  return {
    async update(actor: ConfigActor, change: SettingsChange): Promise<void> {
      if (change.monitoringEnabled === undefined) return;
      await deps.monitoring.setEnabled(change.monitoringEnabled);
      await deps.changed([{ actor, entity: 'settings', action: 'update', id: null, name: 'monitoringEnabled' }]);
    },
  };
}
