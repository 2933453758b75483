import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { generateVirtualKey } from '../keys/virtual-key-token.js';
import type { SettingsStore } from '../settings/store.js';

export const MONITORING_KEY_NAME = 'Health monitoring';

/**
 * The virtual key the scheduler sends. Created the first time monitoring is
 * turned on (every model, no body logging); its plaintext is kept sealed in a
 * setting, because the scheduler must present it. A revoked or deleted key is
 * replaced on the next switch-on.
 */
export async function ensureMonitoringKey(db: Db, settings: SettingsStore, secretBox: SecretBox): Promise<{ id: string; created: boolean }> {
  const { monitoringKeyId, monitoringKeySealed } = settings.read();
  if (monitoringKeyId && monitoringKeySealed) {
    const existing = await db.virtualKey.findUnique({ where: { id: monitoringKeyId } });
    if (existing && !existing.revokedAt) return { id: existing.id, created: false };
  }
  const { key, hash, prefix } = generateVirtualKey();
  const row = await db.virtualKey.create({
    data: { name: MONITORING_KEY_NAME, keyHash: hash, keyPrefix: prefix, purpose: 'monitoring', logBodies: false },
  });
  await settings.write('monitoringKeySealed', secretBox.seal(key));
  await settings.write('monitoringKeyId', row.id);
  return { id: row.id, created: true };
}

/** The plaintext monitoring key, or null when none was created yet. */
export function monitoringKeyPlaintext(settings: SettingsStore, secretBox: SecretBox): string | null {
  const sealed = settings.read().monitoringKeySealed;
  return sealed ? secretBox.open(sealed) : null;
}
