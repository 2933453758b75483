import { isRecord } from '../core/guards.js';
import { readUnitPrices } from '../core/unit-prices.js';
import type { Db } from '../db/client.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { openHeaders } from '../crypto/sealed-headers.js';
import { openRequestDefaults } from '../crypto/sealed-request-defaults.js';
import { DEFAULT_CHECK_PROMPT, DEFAULT_INTERVAL_SECONDS } from '../health/check-config.js';
import { findPreset } from '../proxy/providers/presets.js';
import type { RuleKind } from '../prompts/types.js';
import { parseRuleConfig } from '../prompts/validate.js';
import type { GatewayConfigFile, HealthTargetDecl, ModelDecl, ProviderDecl, VirtualKeyDecl, VirtualModelDecl } from './schema.js';
import { envRef, parseEnvRef, suggestedEnvName } from './secret-ref.js';
import {
  alertChannelFromFile,
  alertRuleFromFile,
  cacheFromFile,
  cacheFromRow,
  guardrailFromFile,
  readFeatureState,
  type AlertChannelState,
  type AlertRuleState,
  type GuardrailState,
} from './state-features.js';

export type { AlertChannelState, AlertRuleState, GuardrailState } from './state-features.js';

/**
 * One normalized form for both sides of a comparison: what a file declares
 * (defaults filled in) and what the database holds. Export writes this form,
 * so an exported file applied again compares equal field by field.
 */
export interface ProviderState {
  decl: ProviderDecl & { baseUrl: string; enabled: boolean };
  /** Secret values (in memory only): the API key and header values the decl's references stand for. */
  secrets: { apiKey?: string; headers: Record<string, string> };
  /** Database side: the environment variable names stored with the secrets (absent when set by hand). */
  storedRefs?: { apiKey?: string; headers: Record<string, string> };
}
export type ModelState = ModelDecl & { upstreamModel: string; mode: 'chat' | 'embedding' | 'responses'; enabled: boolean };
export type VirtualModelState = VirtualModelDecl & {
  strategy: 'LOAD_BALANCE' | 'FAILOVER' | 'LEAST_LATENCY';
  enabled: boolean;
  targets: Array<{ model: string; weight: number; priority: number }>;
  rules: Array<{ kind: RuleKind; enabled: boolean; config: Record<string, unknown> }>;
};
export type VirtualKeyState = VirtualKeyDecl & { enabled: boolean; logBodies: boolean };
export type HealthTargetState = HealthTargetDecl & {
  kind: 'model' | 'virtual_model';
  name: string;
  enabled: boolean;
  intervalSeconds: number;
  checkPrompt: string;
};

/** A model's request-default header values behind the decl's references (in memory only). */
export interface ModelSecrets {
  headers: Record<string, string>;
  /** Database side: the environment variable names stored with them. */
  storedRefs?: Record<string, string>;
}

export interface ConfigState {
  settings: { monitoringEnabled?: boolean };
  providers: Map<string, ProviderState>;
  models: Map<string, ModelState>;
  modelSecrets: Map<string, ModelSecrets>;
  virtualModels: Map<string, VirtualModelState>;
  virtualKeys: Map<string, VirtualKeyState>;
  /** By `kind:model`. */
  healthTargets: Map<string, HealthTargetState>;
  guardrails: Map<string, GuardrailState>;
  alertChannels: Map<string, AlertChannelState>;
  alertRules: Map<string, AlertRuleState>;
}

/** Which sections a file declares; only those are compared (and pruned). */
export type Section = 'providers' | 'models' | 'virtualModels' | 'virtualKeys' | 'healthTargets' | 'guardrails' | 'alertChannels' | 'alertRules' | 'settings';
export const SECTIONS: readonly Section[] = [
  'providers',
  'models',
  'virtualModels',
  'virtualKeys',
  'healthTargets',
  'guardrails',
  'alertChannels',
  'alertRules',
  'settings',
];

export const healthKey = (kind: string, model: string) => `${kind}:${model}`;

const record = (value: unknown): Record<string, unknown> | undefined => (isRecord(value) ? value : undefined);
/** Drops undefined fields and empty objects, so "not set" has one spelling. */
function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (record(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as T;
}
const nullable = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const trimUrl = (url: string) => url.replace(/\/+$/, '');

export class ConfigFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** The file's declarations with defaults filled in; secret references resolved from `env`. */
export function normalizeFile(file: GatewayConfigFile, env: Record<string, string | undefined>): { state: ConfigState; sections: Set<Section> } {
  const problems: string[] = [];
  const sections = new Set<Section>(SECTIONS.filter((s) => file[s] !== undefined));
  const resolve = (ref: string, where: string): string | undefined => {
    const name = parseEnvRef(ref)!;
    const value = env[name];
    if (value === undefined || value === '') problems.push(`${where}: environment variable ${name} is not set`);
    return value;
  };
  const state: ConfigState = emptyState();
  if (file.settings) state.settings = compact({ ...file.settings });
  for (const p of file.providers ?? []) {
    const preset = findPreset(p.type)!;
    const headers: Record<string, string> = {};
    for (const [name, ref] of Object.entries(p.headers ?? {})) {
      const value = resolve(ref, `providers.${p.name}.headers.${name}`);
      if (value !== undefined) headers[name] = value;
    }
    state.providers.set(p.name, {
      decl: compact({ ...p, baseUrl: trimUrl(p.baseUrl ?? preset.defaultBaseUrl), enabled: p.enabled ?? true }),
      secrets: { apiKey: p.apiKey ? resolve(p.apiKey, `providers.${p.name}.apiKey`) : undefined, headers },
    });
  }
  for (const m of file.models ?? []) {
    const headers: Record<string, string> = {};
    for (const [name, ref] of Object.entries(m.requestDefaults?.headers ?? {})) {
      const value = resolve(ref, `models.${m.name}.requestDefaults.headers.${name}`);
      if (value !== undefined) headers[name] = value;
    }
    state.modelSecrets.set(m.name, { headers });
    state.models.set(
      m.name,
      compact({
        ...m,
        upstreamModel: m.upstreamModel ?? m.name,
        mode: m.mode ?? 'chat',
        autoPromptCache: m.autoPromptCache || undefined,
        enabled: m.enabled ?? true,
      }),
    );
  }
  for (const v of file.virtualModels ?? []) {
    const rules = (v.rules ?? []).map((rule, i) => {
      try {
        return { kind: rule.kind, enabled: rule.enabled ?? true, config: parseRuleConfig(rule.kind, rule.config ?? {}).config as Record<string, unknown> };
      } catch (error) {
        problems.push(`virtualModels.${v.name}.rules.${i}.${(error as Error).message}`);
        return { kind: rule.kind, enabled: rule.enabled ?? true, config: rule.config ?? {} };
      }
    });
    state.virtualModels.set(
      v.name,
      compact({
        ...v,
        strategy: v.strategy ?? 'FAILOVER',
        enabled: v.enabled ?? true,
        targets: sortTargets(v.targets.map((t, i) => ({ model: t.model, weight: t.weight ?? 1, priority: t.priority ?? i }))),
        rules,
        cache: cacheFromFile(v.cache),
      }),
    );
  }
  for (const k of file.virtualKeys ?? []) {
    state.virtualKeys.set(
      k.name,
      compact({
        ...k,
        expiresAt: k.expiresAt ? new Date(k.expiresAt).toISOString() : undefined,
        enabled: k.enabled ?? true,
        logBodies: k.logBodies ?? false,
        cache: cacheFromFile(k.cache),
      }),
    );
  }
  for (const h of file.healthTargets ?? []) {
    const kind = h.kind ?? 'model';
    state.healthTargets.set(
      healthKey(kind, h.model),
      compact({
        ...h,
        kind,
        name: h.name ?? h.model,
        enabled: h.enabled ?? true,
        intervalSeconds: h.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS,
        checkPrompt: h.checkPrompt ?? DEFAULT_CHECK_PROMPT,
      }),
    );
  }
  for (const g of file.guardrails ?? []) state.guardrails.set(g.name, guardrailFromFile(g, problems));
  for (const c of file.alertChannels ?? []) state.alertChannels.set(c.name, alertChannelFromFile(c, resolve, problems));
  for (const r of file.alertRules ?? []) state.alertRules.set(r.name, alertRuleFromFile(r, problems));
  if (problems.length) throw new ConfigFileError(problems);
  return { state, sections };
}

export function emptyState(): ConfigState {
  return {
    settings: {},
    providers: new Map(),
    models: new Map(),
    modelSecrets: new Map(),
    virtualModels: new Map(),
    virtualKeys: new Map(),
    healthTargets: new Map(),
    guardrails: new Map(),
    alertChannels: new Map(),
    alertRules: new Map(),
  };
}

/** What the database holds, in the file's normalized form (secrets decrypted in memory, for comparison only). */
export async function readState(db: Db, box: SecretBox, monitoringEnabled: boolean): Promise<ConfigState> {
  const [providers, models, routes, keys, targets, features] = await Promise.all([
    db.provider.findMany({ orderBy: { name: 'asc' } }),
    db.model.findMany({ orderBy: { name: 'asc' }, include: { provider: { select: { name: true } } } }),
    db.virtualModel.findMany({
      orderBy: { name: 'asc' },
      include: {
        targets: { include: { model: { select: { name: true } } }, orderBy: [{ priority: 'asc' }, { weight: 'desc' }] },
        rules: { orderBy: { position: 'asc' } },
      },
    }),
    db.virtualKey.findMany({ where: { purpose: 'app', revokedAt: null }, orderBy: { createdAt: 'asc' } }),
    db.healthTarget.findMany({ orderBy: [{ kind: 'asc' }, { modelName: 'asc' }] }),
    readFeatureState(db, box),
  ]);
  const state = { ...emptyState(), ...features };
  state.settings = { monitoringEnabled };
  for (const p of providers) {
    const refs = record(p.secretRefs);
    const storedHeaderRefs = (record(refs?.headers) ?? {}) as Record<string, string>;
    const storedKeyRef = typeof refs?.apiKey === 'string' ? refs.apiKey : undefined;
    const headerValues = openHeaders(p.headers, box, () => {});
    let apiKey: string | undefined;
    if (p.apiKeyEncrypted) {
      try {
        apiKey = box.open(p.apiKeyEncrypted);
      } catch {
        apiKey = undefined;
      }
    }
    const headers = Object.fromEntries(
      Object.keys(record(p.headers) ?? {}).map((name) => [name, envRef(storedHeaderRefs[name] ?? suggestedEnvName(p.name, name))]),
    );
    state.providers.set(p.name, {
      decl: compact({
        name: p.name,
        type: p.type,
        baseUrl: p.baseUrl,
        apiKey: p.apiKeyEncrypted ? envRef(storedKeyRef ?? suggestedEnvName(p.name)) : undefined,
        headers,
        options: record(p.options),
        enabled: p.enabled,
      }),
      secrets: { apiKey, headers: headerValues },
      storedRefs: { apiKey: storedKeyRef, headers: storedHeaderRefs },
    });
  }
  for (const m of models) {
    const stored = openRequestDefaults(m.requestDefaults, box, () => {});
    const headerValues = (record(stored.headers) ?? {}) as Record<string, string>;
    const storedRefs = (record(record(m.secretRefs)?.headers) ?? {}) as Record<string, string>;
    state.modelSecrets.set(m.name, { headers: headerValues, storedRefs });
    const headerRefs = Object.fromEntries(Object.keys(headerValues).map((h) => [h, envRef(storedRefs[h] ?? suggestedEnvName(m.name, h))]));
    state.models.set(
      m.name,
      compact({
        name: m.name,
        provider: m.provider.name,
        upstreamModel: m.upstreamModel,
        mode: m.mode as ModelState['mode'],
        contextWindow: nullable(m.contextWindow),
        maxOutputTokens: nullable(m.maxOutputTokens),
        inputPrice: nullable(m.inputPrice),
        outputPrice: nullable(m.outputPrice),
        cacheReadPrice: nullable(m.cacheReadPrice),
        cacheWritePrice: nullable(m.cacheWritePrice),
        unitPrices: readUnitPrices(m.unitPrices),
        supportsTools: nullable(m.supportsTools),
        supportsVision: nullable(m.supportsVision),
        supportsReasoning: nullable(m.supportsReasoning),
        requestDefaults: compactDefaults({ body: stored.body, headers: headerRefs }),
        catalogKey: nullable(m.catalogKey),
        autoPromptCache: m.autoPromptCache || undefined,
        enabled: m.enabled,
      }),
    );
  }
  for (const v of routes) {
    state.virtualModels.set(
      v.name,
      compact({
        name: v.name,
        description: nullable(v.description),
        strategy: v.strategy as VirtualModelState['strategy'],
        options: record(v.options),
        enabled: v.enabled,
        targets: sortTargets(v.targets.map((t) => ({ model: t.model.name, weight: t.weight, priority: t.priority }))),
        rules: v.rules.map((r) => ({ kind: r.kind as RuleKind, enabled: r.enabled, config: record(r.config) ?? {} })),
        cache: cacheFromRow(v.cache),
      }),
    );
  }
  for (const k of keys) {
    // Names are not unique in the database; the oldest key of a name is the one a file speaks of.
    if (state.virtualKeys.has(k.name)) continue;
    state.virtualKeys.set(
      k.name,
      compact({
        name: k.name,
        allowedModels: Array.isArray(k.allowedModels) ? (k.allowedModels as string[]) : undefined,
        rpmLimit: nullable(k.rpmLimit),
        tpmLimit: nullable(k.tpmLimit),
        maxConcurrency: nullable(k.maxConcurrency),
        budgetUsd: nullable(k.budgetUsd),
        budgetPeriod: nullable(k.budgetPeriod) as VirtualKeyDecl['budgetPeriod'],
        expiresAt: k.expiresAt ? k.expiresAt.toISOString() : undefined,
        enabled: k.enabled,
        logBodies: k.logBodies,
        cache: cacheFromRow(k.cache),
      }),
    );
  }
  for (const h of targets) {
    state.healthTargets.set(
      healthKey(h.kind, h.modelName),
      compact({
        model: h.modelName,
        kind: h.kind as HealthTargetState['kind'],
        name: h.name,
        enabled: h.enabled,
        intervalSeconds: h.intervalSeconds,
        checkPrompt: h.checkPrompt,
        checkConfig: record(h.checkConfig),
      }),
    );
  }
  return state;
}

/** Targets in the order the router ranks them, so order in a file never shows as a change. */
function sortTargets<T extends { model: string; weight: number; priority: number }>(targets: T[]): T[] {
  return [...targets].sort((a, b) => a.priority - b.priority || b.weight - a.weight || a.model.localeCompare(b.model));
}

function compactDefaults(value: unknown): ModelDecl['requestDefaults'] {
  const r = record(value);
  if (!r) return undefined;
  const out = compact({ body: record(r.body), headers: record(r.headers) as Record<string, string> | undefined });
  return Object.keys(out).length ? out : undefined;
}
