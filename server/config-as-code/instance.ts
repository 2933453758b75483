import type { ConfigActor } from '../config-service/index.js';
import type { Services } from '../services.js';
import type { ConfigAsCodeDeps } from './index.js';

/**
 * Configuration as code inside a running instance: its database, settings,
 * health switch and the configuration service's after-change step (each
 * object the file changed is one audited change of `actor`, named, as files
 * key objects by name).
 */
export function instanceDeps(
  services: Pick<Services, 'db' | 'secretBox' | 'settings' | 'health' | 'configService'>,
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
