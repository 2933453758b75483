import type { CompiledRule } from '../prompts/types.js';
import type { ModelTerms } from '../core/model-terms.js';
import type { GuardrailEntry } from './guardrail-entry.js';
import type { RouteOptions } from './route-options.js';
import type { CacheSettings } from './cache-settings.js';
import type { EndUserLimits, ScopedLimits, TeamEntry } from './team-entry.js';

/**
 * The in-memory view of configuration the hot path reads. Built from the
 * database on start and after every admin change; never queried per request.
 */

export interface ProviderEntry {
  id: string;
  name: string;
  type: string;
  baseUrl: string;
  /** Decrypted upstream key; lives only in memory. */
  apiKey?: string;
  headers: Record<string, string>;
  options: Record<string, unknown>;
  enabled: boolean;
}

export interface ModelEntry extends ModelTerms {
  id: string;
  name: string;
  upstreamModel: string;
  mode: string;
  provider: ProviderEntry;
  requestDefaults: Record<string, unknown>;
  /** Anthropic prompt caching: add cache_control breakpoints for clients that send none (server/cache). */
  autoPromptCache?: boolean;
  enabled: boolean;
  /** Unix seconds, as /v1/models reports it. */
  createdAt: number;
}

export type Strategy = 'LOAD_BALANCE' | 'FAILOVER' | 'LEAST_LATENCY';

export interface RouteTarget {
  id: string;
  model: ModelEntry;
  weight: number;
  priority: number;
}

/** A public name over several targets (a route), as the router reads it. */
export interface VirtualModelEntry {
  id: string;
  name: string;
  strategy: Strategy;
  targets: RouteTarget[];
  options: RouteOptions;
  enabled: boolean;
  createdAt: number;
  /** Enabled prompt rules in order, compiled by the snapshot (see server/prompts). */
  promptRules: CompiledRule[];
}

export interface KeyEntry {
  id: string;
  name: string;
  prefix: string;
  /** null = every model. */
  allowedModels: Set<string> | null;
  rpmLimit?: number;
  tpmLimit?: number;
  maxConcurrency?: number;
  budgetUsd?: number;
  budgetPeriod?: string;
  /** Epoch ms, or undefined for no expiry. */
  expiresAt?: number;
  /** Set on the previous token of a rotated key: `expiresAt` is then its rotation deadline. */
  rotatedOut?: true;
  enabled: boolean;
  revoked: boolean;
  logBodies: boolean;
  purpose: string;
  /** Response-cache settings (server/cache); undefined: the defaults. */
  cache?: CacheSettings;
  /** The team owning the key: its limits and model list apply too (server/limits/subjects.ts). */
  team?: TeamEntry;
  /** RPM / TPM per public model name. */
  modelLimits?: ReadonlyMap<string, ScopedLimits>;
  /** Limits of each end user of the key. */
  endUserLimits?: EndUserLimits;
}

export interface ConfigSnapshot {
  readonly version: number;
  readonly virtualModelsByName: ReadonlyMap<string, VirtualModelEntry>;
  readonly keysByHash: ReadonlyMap<string, KeyEntry>;
  readonly modelsByName: ReadonlyMap<string, ModelEntry>;
  readonly providersById: ReadonlyMap<string, ProviderEntry>;
  /** Guardrails (server/guardrails), in name order; compiled by the plugin once per snapshot. */
  readonly guardrails?: readonly GuardrailEntry[];
  /** Response-cache settings of virtual models that have any, by virtual model name (server/cache). */
  readonly virtualModelCache: ReadonlyMap<string, CacheSettings>;
}
