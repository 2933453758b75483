import type { Db } from '../db/client.js';
import type { CatalogSourceSetting } from './catalog-source.js';
import type { StoredSsoSettings } from './sso-settings.js';
import type { StatusIncident } from './status-incidents.js';

/** Known settings and their defaults. Values are JSON in the Setting table. */
const DEFAULTS = {
  monitoringEnabled: false,
  monitoringKeyId: null as string | null,
  /** The monitoring key's plaintext sealed with the instance SecretBox (the scheduler must send it). */
  monitoringKeySealed: null as string | null,
  /** OpenID Connect sign-in (server/sso); null until configured. */
  sso: null as StoredSsoSettings | null,
  /** Incidents and notes of the public status page, newest first (config-service/status-incidents.ts). */
  statusIncidents: [] as StatusIncident[],
  /** Where the catalog refreshes from (settings/catalog-source.ts); null = LITELLM_CATALOG_URL. */
  catalogSource: null as CatalogSourceSetting | null,
};
export type SettingsValues = typeof DEFAULTS;
export type SettingKey = keyof SettingsValues;

/** Settings with an in-memory copy, so readers on hot paths never query. */
export class SettingsStore {
  private values: SettingsValues = { ...DEFAULTS };

  constructor(private readonly db: Db) {}

  async load(): Promise<void> {
    const rows = await this.db.setting.findMany({ where: { key: { in: Object.keys(DEFAULTS) } } });
    const loaded = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    this.values = { ...DEFAULTS, ...loaded };
  }

  read(): SettingsValues {
    return this.values;
  }

  async write<K extends SettingKey>(key: K, value: SettingsValues[K]): Promise<void> {
    await this.db.setting.upsert({ where: { key }, create: { key, value: value as never }, update: { value: value as never } });
    this.values = { ...this.values, [key]: value };
  }
}
