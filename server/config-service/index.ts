import type { CatalogIndex } from '../catalog/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { SettingsStore } from '../settings/store.js';
import type { SnapshotStore } from '../snapshot/store.js';
import { AfterChange } from './after-change.js';
import { catalogSourceConfig } from './catalog-source.js';
import type { ConfigChange, ConfigChangeListener } from './change.js';
import { healthTargetsConfig } from './health-targets.js';
import { modelsConfig } from './models.js';
import { promptRulesConfig } from './prompt-rules.js';
import { providersConfig } from './providers.js';
import { settingsConfig } from './settings.js';
import { statusIncidentsConfig } from './status-incidents.js';
import { ssoConfig } from './sso.js';
import { teamsConfig } from './teams.js';
import { virtualKeysConfig } from './virtual-keys.js';
import { cacheConfig } from './cache.js';
import { virtualModelsConfig } from './virtual-models.js';

export type { ConfigActor, ConfigAction, ConfigChange, ConfigChangeListener, ConfigEntity } from './change.js';
export { ConfigInputError, ConfigNotFoundError } from './errors.js';

/** The narrow parts of an instance the service writes through and refreshes. */
export interface ConfigServiceDeps {
  db: Db;
  secretBox: SecretBox;
  snapshot: Pick<SnapshotStore, 'current' | 'reload'>;
  settings: Pick<SettingsStore, 'load'>;
  /** The health monitor's hooks: its targets were edited; the monitoring switch. */
  health: { targetsChanged(): Promise<void>; setEnabled(on: boolean): Promise<unknown> };
  catalog: { readonly current: CatalogIndex | null; ensureLoaded(): Promise<CatalogIndex | null>; storeUpload(fileName: string, text: string): Promise<void> };
  onListenerError?: (error: unknown, change: ConfigChange) => void;
}

/**
 * Every write of configuration (providers, models, virtual models and their
 * prompt rules, virtual keys, health targets, settings) with its business rules,
 * each followed by the one after-change step: snapshot rebuild (announced to the
 * other instances), settings re-read, health targets re-read, audit listeners.
 */
export function createConfigService(deps: ConfigServiceDeps) {
  const after = new AfterChange({ snapshot: deps.snapshot, settings: deps.settings, health: deps.health, onListenerError: deps.onListenerError });
  const entity = { db: deps.db, secretBox: deps.secretBox, changed: (changes: readonly ConfigChange[]) => after.run(changes) };
  return {
    providers: providersConfig(entity),
    models: modelsConfig({ ...entity, catalog: deps.catalog }),
    virtualModels: virtualModelsConfig(entity),
    promptRules: promptRulesConfig(entity),
    virtualKeys: virtualKeysConfig(entity),
    /** Teams: limits over all of their keys, members (server/limits/subjects.ts). */
    teams: teamsConfig(entity),
    /** Response-cache settings of keys and virtual models, auto prompt caching of models. */
    cache: cacheConfig(entity),
    healthTargets: healthTargetsConfig({ ...entity, snapshot: deps.snapshot }),
    settings: settingsConfig({ changed: entity.changed, monitoring: deps.health }),
    /** Where the LiteLLM catalog refreshes from (built-in copy, the environment's URL, another URL, an uploaded file). */
    catalogSource: catalogSourceConfig({ db: deps.db, changed: entity.changed, catalog: deps.catalog }),
    /** Incidents and notes of the public status page. */
    statusIncidents: statusIncidentsConfig(entity),
    /** OpenID Connect sign-in settings (server/sso). */
    sso: ssoConfig(entity),
    /** For writes made elsewhere in one go (a configuration file): the same after-change step. */
    changed: entity.changed,
    /** Subscribes an audit listener, called once per successful change; returns the unsubscribe. */
    onChange: (listener: ConfigChangeListener) => after.onChange(listener),
  };
}

export type ConfigService = ReturnType<typeof createConfigService>;
