import { channelOptionsProblem, channelUrlProblem } from '../alerts/channel-check.js';
import { isRuleKind, parseRuleParams } from '../alerts/rules.js';
import type { RuleKind as AlertRuleKind, ChannelKind } from '../alerts/types.js';
import { isChannelKind } from '../alerts/repository.js';
import { isRecord } from '../core/guards.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { checkGuardrail, GuardrailConfigError } from '../guardrails/config.js';
import { cacheSettings, filledCacheSettings, type CacheSettings } from '../snapshot/cache-settings.js';
import { guardrailConfig, type GuardrailMode, type GuardrailStage, type ModerationSettings } from '../snapshot/guardrail-entry.js';
import type { AlertChannelDecl, AlertRuleDecl, GuardrailDecl, VirtualModelDecl } from './schema.js';
import { envRef, parseEnvRef, suggestedEnvName } from './secret-ref.js';

/**
 * The normalized form (see state.ts) of what sits beside the core objects:
 * cache settings of keys and virtual models, guardrails, alert channels and
 * alert rules. References between objects are by name, as in the file.
 */

export interface GuardrailState {
  name: string;
  description?: string;
  mode: GuardrailMode;
  stage: GuardrailStage;
  detectors?: string[];
  patterns?: Array<{ label: string; pattern: string; caseSensitive: boolean }>;
  words?: string[];
  moderation?: ModerationSettings;
  /** Names of the virtual keys and virtual models it is attached to, sorted. */
  virtualKeys?: string[];
  virtualModels?: string[];
  enabled: boolean;
}

export interface AlertChannelState {
  decl: { name: string; kind: ChannelKind; url: string; secret?: string; options?: Record<string, unknown>; enabled: boolean };
  /** The URL and secret behind the references (in memory only). */
  secrets: { url?: string; secret?: string };
  /** Database side: the environment variable names stored with them (absent when set in the admin UI). */
  storedRefs?: { url?: string; secret?: string };
}

export interface AlertRuleState {
  name: string;
  kind: AlertRuleKind;
  /** As the rule's kind parses them (defaults filled in). */
  params: Record<string, unknown>;
  /** Channel names, sorted. */
  channels: string[];
  cooldownSeconds: number;
  enabled: boolean;
}

export const DEFAULT_ALERT_COOLDOWN_SECONDS = 600;

type CacheDecl = NonNullable<VirtualModelDecl['cache']>;

/** A file's cache block in the form the `cache` column stores. */
export const cacheFromFile = (decl: CacheDecl | undefined): CacheSettings | undefined => (decl ? filledCacheSettings(decl) : undefined);

/** The stored `cache` column in the same form. */
export const cacheFromRow = (stored: unknown): CacheSettings | undefined => cacheSettings(stored);

const sortedNames = (names: readonly string[] | undefined) => (names?.length ? [...new Set(names)].sort() : undefined);
const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length ? list : undefined);

function guardrailState(
  g: { name: string; mode: GuardrailMode; stage: GuardrailStage; description?: string; enabled: boolean },
  config: ReturnType<typeof guardrailConfig>,
  keys: string[] | undefined,
  routes: string[] | undefined,
): GuardrailState {
  return {
    name: g.name,
    ...(g.description ? { description: g.description } : {}),
    mode: g.mode,
    stage: g.stage,
    ...(nonEmpty(config.detectors) ? { detectors: config.detectors } : {}),
    ...(nonEmpty(config.patterns) ? { patterns: config.patterns } : {}),
    ...(nonEmpty(config.words) ? { words: config.words } : {}),
    ...(config.moderation ? { moderation: config.moderation } : {}),
    ...(sortedNames(keys) ? { virtualKeys: sortedNames(keys) } : {}),
    ...(sortedNames(routes) ? { virtualModels: sortedNames(routes) } : {}),
    enabled: g.enabled,
  };
}

/** A file's guardrail, checked like the admin API checks one (RE2 patterns compiled, moderation bounds). */
export function guardrailFromFile(g: GuardrailDecl, problems: string[]): GuardrailState {
  const stage = g.stage ?? 'request';
  const config = {
    detectors: g.detectors ?? [],
    patterns: (g.patterns ?? []).map((p) => ({ label: p.label, pattern: p.pattern, caseSensitive: p.caseSensitive ?? true })),
    words: g.words ?? [],
    ...(g.moderation
      ? {
          moderation: {
            model: g.moderation.model,
            format: g.moderation.format ?? 'openai-moderation',
            timeoutMs: g.moderation.timeoutMs ?? 5_000,
            failClosed: g.moderation.failClosed ?? false,
            ...(g.moderation.prompt ? { prompt: g.moderation.prompt } : {}),
          },
        }
      : {}),
  } as const;
  let checked = config as ReturnType<typeof guardrailConfig>;
  try {
    checked = checkGuardrail({ name: g.name, mode: g.mode, stage, config: checked }).config;
  } catch (error) {
    if (!(error instanceof GuardrailConfigError)) throw error;
    problems.push(`guardrails.${g.name}.${error.message}`);
  }
  return guardrailState({ ...g, stage, enabled: g.enabled ?? true }, checked, g.virtualKeys, g.virtualModels);
}

export function alertChannelFromFile(c: AlertChannelDecl, resolve: (ref: string, where: string) => string | undefined, problems: string[]): AlertChannelState {
  const url = resolve(c.url, `alertChannels.${c.name}.url`);
  const secret = c.secret ? resolve(c.secret, `alertChannels.${c.name}.secret`) : undefined;
  const urlProblem = url !== undefined ? channelUrlProblem(c.kind, url) : undefined;
  if (urlProblem) problems.push(`alertChannels.${c.name}.${urlProblem} (from ${c.url})`);
  const optionsProblem = channelOptionsProblem(c.kind, c.options);
  if (optionsProblem) problems.push(`alertChannels.${c.name}.${optionsProblem}`);
  return {
    decl: {
      name: c.name,
      kind: c.kind,
      url: c.url,
      ...(c.secret ? { secret: c.secret } : {}),
      ...(c.options && Object.keys(c.options).length ? { options: c.options } : {}),
      enabled: c.enabled ?? true,
    },
    secrets: { url, secret },
  };
}

export function alertRuleFromFile(r: AlertRuleDecl, problems: string[]): AlertRuleState {
  const parsed = parseRuleParams(r.kind, r.params ?? {});
  if (!parsed.ok) problems.push(`alertRules.${r.name}.params: ${parsed.error}`);
  return {
    name: r.name,
    kind: r.kind,
    params: (parsed.ok ? parsed.params : (r.params ?? {})) as Record<string, unknown>,
    channels: [...new Set(r.channels)].sort(),
    cooldownSeconds: r.cooldownSeconds ?? DEFAULT_ALERT_COOLDOWN_SECONDS,
    enabled: r.enabled ?? true,
  };
}

const ids = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const named = (list: string[], names: Map<string, string>) => list.flatMap((id) => (names.has(id) ? [names.get(id)!] : []));

/** Guardrails, alert channels and rules as the database holds them (channel URL and secret opened in memory, for comparison only). */
export async function readFeatureState(
  db: Db,
  box: SecretBox,
): Promise<{ guardrails: Map<string, GuardrailState>; alertChannels: Map<string, AlertChannelState>; alertRules: Map<string, AlertRuleState> }> {
  const [guardrails, channels, rules, keys, routes] = await Promise.all([
    db.guardrail.findMany({ orderBy: { name: 'asc' } }),
    db.alertChannel.findMany({ orderBy: { name: 'asc' } }),
    db.alertRule.findMany({ orderBy: { name: 'asc' } }),
    db.virtualKey.findMany({ where: { purpose: 'app', revokedAt: null }, select: { id: true, name: true } }),
    db.virtualModel.findMany({ select: { id: true, name: true } }),
  ]);
  const keyNames = new Map(keys.map((k) => [k.id, k.name]));
  const routeNames = new Map(routes.map((v) => [v.id, v.name]));
  const out = {
    guardrails: new Map<string, GuardrailState>(),
    alertChannels: new Map<string, AlertChannelState>(),
    alertRules: new Map<string, AlertRuleState>(),
  };
  for (const g of guardrails) {
    out.guardrails.set(
      g.name,
      guardrailState(
        { name: g.name, description: g.description ?? undefined, mode: g.mode as GuardrailMode, stage: g.stage as GuardrailStage, enabled: g.enabled },
        guardrailConfig(g.config),
        named(ids(g.keyIds), keyNames),
        named(ids(g.virtualModelIds), routeNames),
      ),
    );
  }
  const channelNames = new Map<string, string>();
  for (const c of channels) {
    channelNames.set(c.id, c.name);
    if (!isChannelKind(c.kind)) continue;
    const refs = isRecord(c.secretRefs) ? c.secretRefs : {};
    const storedRefs = {
      url: typeof refs.url === 'string' ? refs.url : undefined,
      secret: typeof refs.secret === 'string' ? refs.secret : undefined,
    };
    const open = (sealed: string | null) => {
      if (!sealed) return undefined;
      try {
        return box.open(sealed);
      } catch {
        return undefined;
      }
    };
    out.alertChannels.set(c.name, {
      decl: {
        name: c.name,
        kind: c.kind,
        url: envRef(storedRefs.url ?? suggestedEnvName(`alert-${c.name}`, 'url')),
        ...(c.secretSealed ? { secret: envRef(storedRefs.secret ?? suggestedEnvName(`alert-${c.name}`, 'secret')) } : {}),
        ...(isRecord(c.options) && Object.keys(c.options).length ? { options: c.options } : {}),
        enabled: c.enabled,
      },
      secrets: { url: open(c.urlSealed), secret: open(c.secretSealed) },
      storedRefs,
    });
  }
  for (const r of rules) {
    if (!isRuleKind(r.kind)) continue;
    const parsed = parseRuleParams(r.kind, r.params);
    out.alertRules.set(r.name, {
      name: r.name,
      kind: r.kind,
      params: (parsed.ok ? parsed.params : r.params) as Record<string, unknown>,
      channels: [...new Set(named(ids(r.channelIds), channelNames))].sort(),
      cooldownSeconds: r.cooldownSeconds,
      enabled: r.enabled,
    });
  }
  return out;
}

/** The environment variable names a channel's references name, for the `secretRefs` column. */
export const channelRefs = (decl: AlertChannelState['decl']) => ({
  url: parseEnvRef(decl.url),
  ...(decl.secret ? { secret: parseEnvRef(decl.secret) } : {}),
});
