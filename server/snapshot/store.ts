import { isRecord } from '../core/guards.js';
import { readUnitPrices } from '../core/unit-prices.js';
import type { Db } from '../db/client.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { openHeaders } from '../crypto/sealed-headers.js';
import { openRequestDefaults } from '../crypto/sealed-request-defaults.js';
import { routeOptions } from './route-options.js';
import { compileRules } from '../prompts/compile.js';
import { cacheSettings, type CacheSettings } from './cache-settings.js';
import { guardrailEntry } from './guardrail-entry.js';
import { parseEndUserLimits, parseModelLimits, teamEntry } from './team-entry.js';
import type { ConfigSnapshot, KeyEntry, ModelEntry, ProviderEntry, VirtualModelEntry } from './types.js';

/** `local`: after a change on this instance; `remote`: announced by another instance (scale-out). */
export type ReloadOrigin = 'local' | 'remote';
type Listener = (snapshot: ConfigSnapshot, origin: ReloadOrigin) => void;

const asRecord = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/**
 * Holds the current configuration snapshot and rebuilds it from the database.
 */
export class SnapshotStore {
  private snapshot: ConfigSnapshot = {
    version: 0,
    keysByHash: new Map(),
    modelsByName: new Map(),
    providersById: new Map(),
    virtualModelsByName: new Map(),
    virtualModelCache: new Map(),
  };
  private tail: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  get current(): ConfigSnapshot {
    return this.snapshot;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rebuilds the snapshot. Rebuilds run one after another, so the last call sees the last write. */
  reload(origin: ReloadOrigin = 'local'): Promise<void> {
    const rebuild = async () => {
      this.snapshot = await this.build();
      for (const listener of this.listeners) listener(this.snapshot, origin);
    };
    this.tail = this.tail.then(rebuild, rebuild);
    return this.tail;
  }

  private async build(): Promise<ConfigSnapshot> {
    const [providers, models, keys, routes, guardrails, teams] = await Promise.all([
      this.db.provider.findMany(),
      this.db.model.findMany(),
      this.db.virtualKey.findMany(),
      this.db.virtualModel.findMany({ include: { targets: true, rules: { orderBy: { position: 'asc' } } } }),
      this.db.guardrail.findMany({ orderBy: { name: 'asc' } }),
      this.db.team.findMany(),
    ]);
    const teamsById = new Map(teams.map((t) => [t.id, teamEntry(t)]));
    const providersById = new Map<string, ProviderEntry>();
    for (const p of providers) {
      let apiKey: string | undefined;
      if (p.apiKeyEncrypted) {
        try {
          apiKey = this.secrets.open(p.apiKeyEncrypted);
        } catch {
          this.onError(new Error(`Provider "${p.name}": stored API key cannot be decrypted (was ENCRYPTION_KEY changed?)`));
        }
      }
      providersById.set(p.id, {
        id: p.id,
        name: p.name,
        type: p.type,
        baseUrl: p.baseUrl,
        apiKey,
        headers: openHeaders(p.headers, this.secrets, (name) =>
          this.onError(new Error(`Provider "${p.name}": stored header ${name} cannot be decrypted (was ENCRYPTION_KEY changed?)`)),
        ),
        options: asRecord(p.options),
        enabled: p.enabled,
      });
    }
    const modelsByName = new Map<string, ModelEntry>();
    for (const m of models) {
      const provider = providersById.get(m.providerId);
      if (!provider) continue;
      modelsByName.set(m.name, {
        id: m.id,
        name: m.name,
        upstreamModel: m.upstreamModel,
        mode: m.mode,
        provider,
        contextWindow: optional(m.contextWindow),
        maxOutputTokens: optional(m.maxOutputTokens),
        inputPrice: optional(m.inputPrice),
        outputPrice: optional(m.outputPrice),
        cacheReadPrice: optional(m.cacheReadPrice),
        cacheWritePrice: optional(m.cacheWritePrice),
        unitPrices: readUnitPrices(m.unitPrices),
        requestDefaults: openRequestDefaults(m.requestDefaults, this.secrets, (name) =>
          this.onError(new Error(`Model "${m.name}": stored request-default header ${name} cannot be decrypted (was ENCRYPTION_KEY changed?)`)),
        ),
        autoPromptCache: m.autoPromptCache || undefined,
        enabled: m.enabled,
        createdAt: Math.floor(m.createdAt.getTime() / 1000),
      });
    }
    const keysByHash = new Map<string, KeyEntry>();
    for (const k of keys) {
      const entry: KeyEntry = {
        id: k.id,
        name: k.name,
        prefix: k.keyPrefix,
        allowedModels: Array.isArray(k.allowedModels) ? new Set(k.allowedModels as string[]) : null,
        rpmLimit: optional(k.rpmLimit),
        tpmLimit: optional(k.tpmLimit),
        maxConcurrency: optional(k.maxConcurrency),
        budgetUsd: optional(k.budgetUsd),
        budgetPeriod: optional(k.budgetPeriod),
        expiresAt: k.expiresAt ? k.expiresAt.getTime() : undefined,
        enabled: k.enabled,
        revoked: k.revokedAt !== null,
        logBodies: k.logBodies,
        purpose: k.purpose,
        cache: cacheSettings(k.cache),
        team: k.teamId ? teamsById.get(k.teamId) : undefined,
        modelLimits: parseModelLimits(k.modelLimits),
        endUserLimits: parseEndUserLimits(k.endUserLimits),
      };
      keysByHash.set(k.keyHash, entry);
      // A rotated key's previous token: the same key (limits, spend, logs) until its deadline.
      if (k.previousKeyHash && k.previousKeyExpiresAt) keysByHash.set(k.previousKeyHash, previousKeyEntry(entry, k.previousKeyExpiresAt.getTime()));
    }
    const modelsById = new Map([...modelsByName.values()].map((m) => [m.id, m]));
    const virtualModelsByName = new Map<string, VirtualModelEntry>();
    const virtualModelCache = new Map<string, CacheSettings>();
    for (const r of routes) {
      const cache = cacheSettings(r.cache);
      // Only settings that change something: with none, the cache plugin has no part in requests (server/cache/policy.ts).
      if (cache && (cache.enabled || cache.semantic?.enabled || !cache.clientControl)) virtualModelCache.set(r.name, cache);
      virtualModelsByName.set(r.name, {
        id: r.id,
        name: r.name,
        strategy: r.strategy as VirtualModelEntry['strategy'],
        options: routeOptions(r.options),
        enabled: r.enabled,
        createdAt: Math.floor(r.createdAt.getTime() / 1000),
        targets: r.targets
          .filter((t) => modelsById.has(t.modelId))
          .map((t) => ({ id: t.id, model: modelsById.get(t.modelId)!, weight: t.weight, priority: t.priority })),
        // Compiled here, once per configuration change, never per request.
        promptRules: compileRules(r.rules, (rule, error) => this.onError(new Error(`Prompt rule ${rule.id} of "${r.name}" skipped: ${error.message}`))),
      });
    }
    return {
      version: this.snapshot.version + 1,
      keysByHash,
      modelsByName,
      providersById,
      virtualModelsByName,
      virtualModelCache,
      guardrails: guardrails.map(guardrailEntry),
    };
  }
}

/** The replaced token of a rotated key: refused from its deadline on (or the key's own expiry, if sooner). */
function previousKeyEntry(key: KeyEntry, deadline: number): KeyEntry {
  return { ...key, rotatedOut: true, expiresAt: key.expiresAt === undefined ? deadline : Math.min(key.expiresAt, deadline) };
}
