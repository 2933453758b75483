import { yaml } from './yaml.js';
import type { Db } from '../db/client.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { applyPlan, type ApplyOutcome } from './apply.js';
import { exportState, type ExportedConfig } from './export.js';
import { planChanges, type Change, type Plan } from './plan.js';
import { gatewayConfigSchema, type GatewayConfigFile } from './schema.js';
import { ConfigFileError, healthKey, normalizeFile, readState, type ConfigState, type Section } from './state.js';

export { ConfigFileError } from './state.js';
export { formatPlan } from './plan.js';
export type { Plan, Change, FieldChange } from './plan.js';
export type { ExportedConfig } from './export.js';

/** What configuration as code needs from an instance, or from the CLI working on the database directly. */
export interface ConfigAsCodeDeps {
  db: Db;
  secretBox: SecretBox;
  /** Where `${env:NAME}` references are resolved. */
  env: Record<string, string | undefined>;
  /** Current instance settings (read side of `settings`). */
  monitoringEnabled(): boolean;
  /** Applies `settings.monitoringEnabled` (creates the monitoring key on first switch-on). */
  setMonitoringEnabled(on: boolean): Promise<void>;
  /** The one after-change step, told what the file changed: snapshot rebuild (announced to other instances), audit. */
  configChanged(changes: readonly Change[]): Promise<void>;
}

export interface ApplyResult extends ApplyOutcome {
  plan: Plan;
  applied: boolean;
}

/** Parses and validates a file's text; every problem names its path. */
export function parseConfigFile(text: string): GatewayConfigFile {
  let raw: unknown;
  try {
    raw = yaml().parse(text);
  } catch (error) {
    if (error instanceof yaml().YAMLParseError) throw new ConfigFileError([`not valid YAML: ${error.message}`]);
    throw error;
  }
  const result = gatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigFileError(result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`));
  }
  return result.data;
}

export async function currentState(deps: ConfigAsCodeDeps): Promise<ConfigState> {
  return readState(deps.db, deps.secretBox, deps.monitoringEnabled());
}

export async function exportConfig(deps: ConfigAsCodeDeps): Promise<ExportedConfig> {
  return exportState(await currentState(deps));
}

/** References between objects must resolve in the configuration that results from the file. */
function checkReferences(current: ConfigState, desired: ConfigState, sections: Set<Section>, prune: boolean): void {
  const final = <T>(section: Exclude<Section, 'settings'>) => {
    const names = new Set((desired[section] as Map<string, T>).keys());
    if (!sections.has(section) || !prune) for (const name of (current[section] as Map<string, T>).keys()) names.add(name);
    return names;
  };
  const providers = final('providers');
  const models = final('models');
  const routes = final('virtualModels');
  const keys = final('virtualKeys');
  const channels = final('alertChannels');
  const problems: string[] = [];
  for (const m of desired.models.values()) {
    if (!providers.has(m.provider)) problems.push(`models.${m.name}.provider: no provider named "${m.provider}"`);
    if (routes.has(m.name)) problems.push(`models.${m.name}: "${m.name}" is also the name of a virtual model`);
  }
  for (const v of desired.virtualModels.values()) {
    if (models.has(v.name)) problems.push(`virtualModels.${v.name}: "${v.name}" is also the name of a model`);
    const seen = new Set<string>();
    for (const [i, t] of v.targets.entries()) {
      if (!models.has(t.model)) problems.push(`virtualModels.${v.name}.targets.${i}.model: no model named "${t.model}"`);
      if (seen.has(t.model)) problems.push(`virtualModels.${v.name}.targets: model "${t.model}" appears twice`);
      seen.add(t.model);
    }
  }
  for (const v of desired.virtualModels.values()) {
    const embedding = v.cache?.semantic?.embeddingModel;
    if (embedding && !models.has(embedding)) problems.push(`virtualModels.${v.name}.cache.semantic.embeddingModel: no model named "${embedding}"`);
  }
  for (const g of desired.guardrails.values()) {
    for (const k of g.virtualKeys ?? []) if (!keys.has(k)) problems.push(`guardrails.${g.name}.virtualKeys: no virtual key named "${k}"`);
    for (const v of g.virtualModels ?? []) if (!routes.has(v)) problems.push(`guardrails.${g.name}.virtualModels: no virtual model named "${v}"`);
  }
  for (const r of desired.alertRules.values()) {
    for (const c of r.channels) if (!channels.has(c)) problems.push(`alertRules.${r.name}.channels: no alert channel named "${c}"`);
  }
  for (const h of desired.healthTargets.values()) {
    const known = h.kind === 'model' ? models : routes;
    if (!known.has(h.model))
      problems.push(`healthTargets.${healthKey(h.kind, h.model)}: no ${h.kind === 'model' ? 'model' : 'virtual model'} named "${h.model}"`);
  }
  // Models the file keeps may belong to a provider the prune deletes.
  if (prune && sections.has('providers') && !sections.has('models')) {
    for (const m of current.models.values()) {
      if (!providers.has(m.provider))
        problems.push(`providers: pruning provider "${m.provider}" would delete model "${m.name}" (declare the models section too)`);
    }
  }
  if (problems.length) throw new ConfigFileError(problems);
}

async function prepare(deps: ConfigAsCodeDeps, text: string, prune: boolean) {
  const { state: desired, sections } = normalizeFile(parseConfigFile(text), deps.env);
  const current = await currentState(deps);
  checkReferences(current, desired, sections, prune);
  return { desired, sections, plan: planChanges(current, desired, sections, prune) };
}

export async function planConfig(deps: ConfigAsCodeDeps, text: string, options: { prune?: boolean } = {}): Promise<Plan> {
  return (await prepare(deps, text, options.prune ?? false)).plan;
}

/**
 * Makes the gateway match the file: one transaction, then the after-change
 * path. Applying the same file again finds nothing to change.
 */
export async function applyConfig(deps: ConfigAsCodeDeps, text: string, options: { prune?: boolean; dryRun?: boolean } = {}): Promise<ApplyResult> {
  const { desired, sections, plan } = await prepare(deps, text, options.prune ?? false);
  if (options.dryRun) return { plan, applied: false, createdKeys: [] };
  const objectChanges = plan.changes.filter((c) => c.kind !== 'settings');
  let outcome: ApplyOutcome = { createdKeys: [] };
  if (objectChanges.length || sections.size) outcome = await applyPlan(deps.db, deps.secretBox, { ...plan, changes: objectChanges }, desired, sections);
  const monitoring = plan.changes.find((c) => c.kind === 'settings')?.fields.find((f) => f.field === 'monitoringEnabled');
  if (monitoring) await deps.setMonitoringEnabled(monitoring.to === true);
  if (plan.changes.length) await deps.configChanged(plan.changes);
  return { plan, applied: true, ...outcome };
}
