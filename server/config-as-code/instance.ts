import type { ConfigActor, ConfigService } from '../config-service/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { HealthMonitor } from '../health/monitor.js';
import type { SettingsStore } from '../settings/store.js';
import type { ConfigAsCodeDeps } from './index.js';

/** The parts of a running instance configuration as code reads and writes through. */
export interface InstanceServices {
  db: Db;
  secretBox: SecretBox;
  settings: Pick<SettingsStore, 'read'>;
  health: Pick<HealthMonitor, 'setEnabled'>;
  configService: Pick<ConfigService, 'changed'>;
}

/**
 * Configuration as code inside a running instance: its database, settings,
 * health switch and the configuration service's after-change step (each
 * object the file changed is one audited change of `actor`, named, as files
 * key objects by name).
 */
export function instanceDeps(
  services: InstanceServices,
  env: Record<string, string | undefined> = process.env,
  actor: ConfigActor = { type: 'config-file' },
): ConfigAsCodeDeps {
  return {
    db: services.db,
    secretBox: services.secretBox,
    env,
    monitoringEnabled: () => services.settings.read().monitoringEnabled,
    setMonitoringEnabled: async (on) => {
      await services.health.setEnabled(on);
    },
    configChanged: (changes) => services.configService.changed(changes.map((c) => ({ actor, entity: c.kind, action: c.action, id: null, name: c.name }))),
  };
}
