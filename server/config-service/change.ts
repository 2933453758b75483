/** Who made a configuration change: a signed-in admin, or a configuration file (GATEWAY_CONFIG, `applyConfig`). */
export type ConfigActor = { type: 'user'; userId: string; email: string; ip?: string; userAgent?: string } | { type: 'config-file' };

export type ConfigEntity =
  | 'provider'
  | 'model'
  | 'virtualModel'
  | 'virtualKey'
  | 'team'
  | 'promptRule'
  | 'healthTarget'
  | 'guardrail'
  | 'alertChannel'
  | 'alertRule'
  | 'mcpServer'
  | 'settings';

export type ConfigAction = 'create' | 'update' | 'delete' | 'revoke' | 'reorder' | 'rotate';

/**
 * One successful write, as the audit hook sees it. `id` is the row's id; a change
 * made by a configuration file names its object instead (files key objects by
 * name), settings have neither, and a `reorder` of prompt rules names their
 * virtual model.
 */
export interface ConfigChange {
  actor: ConfigActor;
  entity: ConfigEntity;
  action: ConfigAction;
  id: string | null;
  name?: string;
  /** The row before and after the write, as stored (secrets sealed or hashed); the audit log masks them. */
  before?: unknown;
  after?: unknown;
}

export type ConfigChangeListener = (change: ConfigChange) => void | Promise<void>;
