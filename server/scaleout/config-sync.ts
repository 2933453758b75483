import type { Logger } from 'pino';
import type { SettingsStore } from '../settings/store.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { InstanceMessageBus } from './message-bus.js';

const TOPIC = 'config-changed';

export interface ConfigChangedNotice {
  version: number;
}

/**
 * Keeps every instance's configuration snapshot current: after a reload caused
 * by an admin change here, announce it; on another instance's announcement,
 * rebuild from the database. After a Redis outage, rebuild once, since
 * announcements made meanwhile were lost.
 */
export async function startConfigSync(
  bus: InstanceMessageBus,
  stores: { snapshot: SnapshotStore; settings: SettingsStore },
  logger: Logger,
): Promise<() => void> {
  const refresh = () => {
    void Promise.all([stores.snapshot.reload('remote'), stores.settings.load()]).catch((error) =>
      logger.error({ err: error }, 'could not reload configuration announced by another instance'),
    );
  };
  await bus.on(TOPIC, refresh);
  bus.onReconnect(refresh);
  return stores.snapshot.onChange((snapshot, origin) => {
    if (origin === 'local') bus.publish(TOPIC, { version: snapshot.version } satisfies ConfigChangedNotice);
  });
}
