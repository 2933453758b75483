import type { Services } from '../services.js';
import { configChanged } from '../snapshot/config-changed.js';
import type { ConfigAsCodeDeps } from './index.js';

/** Configuration as code inside a running instance: its database, settings, health switch and after-change path. */
export function instanceDeps(services: Services, env: Record<string, string | undefined> = process.env): ConfigAsCodeDeps {
  return {
    db: services.db,
    secretBox: services.secretBox,
    env,
    monitoringEnabled: () => services.settings.read().monitoringEnabled,
    setMonitoringEnabled: async (on) => {
      await services.health.setEnabled(on);
    },
    configChanged: () => configChanged(services),
  };
}
