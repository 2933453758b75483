import { PRESET_FIELDS } from '../catalog/types.js';
import { absentAsNull } from '../core/fields.js';
import { dbNull, type Db } from '../db/client.js';
import { maskSecret, type SecretBox } from '../crypto/secret-box.js';
import { sealHeaders } from '../crypto/sealed-headers.js';
import { sealRequestDefaults } from '../crypto/sealed-request-defaults.js';
import { generateVirtualKey } from '../keys/virtual-key-token.js';
import { applyFeatures } from './apply-features.js';
import type { Plan } from './plan.js';
import { idNamed, idsByName } from './rows-by-name.js';
import { parseEnvRef } from './secret-ref.js';
import { healthKey, type ConfigState, type Section } from './state.js';

/** Marks objects declared in a configuration file (the admin UI shows a badge). */
export const MANAGED_BY_CONFIG = 'config';

export interface ApplyOutcome {
  /** Plaintext of virtual keys the file created: shown once, like createVirtualKey. */
  createdKeys: Array<{ name: string; key: string }>;
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Carries out a plan in one transaction. Creates and updates go in dependency
 * order (providers, models, virtual models, keys, health targets); deletions
 * in the reverse order. Objects declared in the file are marked managed.
 */
export async function applyPlan(db: Db, box: SecretBox, plan: Plan, desired: ConfigState, sections: Set<Section>): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { createdKeys: [] };
  const touched = (kind: string) => new Set(plan.changes.filter((c) => c.kind === kind && c.action !== 'delete').map((c) => c.name));
  const deleted = (kind: string) => plan.changes.filter((c) => c.kind === kind && c.action === 'delete').map((c) => c.name);
  const secretFields = (name: string) =>
    new Set(plan.changes.find((c) => c.kind === 'provider' && c.name === name)?.fields.map((f) => f.field.split('.')[0]) ?? []);

  await db.$transaction(
    async (tx: Tx) => {
      for (const name of touched('provider')) {
        const p = desired.providers.get(name)!;
        const changed = secretFields(name);
        const refs = {
          ...(p.decl.apiKey ? { apiKey: parseEnvRef(p.decl.apiKey) } : {}),
          headers: Object.fromEntries(Object.entries(p.decl.headers ?? {}).map(([h, ref]) => [h, parseEnvRef(ref)])),
        };
        const data = {
          type: p.decl.type,
          baseUrl: p.decl.baseUrl,
          options: (p.decl.options ?? {}) as object,
          enabled: p.decl.enabled,
          secretRefs: refs as object,
          managedBy: MANAGED_BY_CONFIG,
          ...(changed.has('apiKey') || changed.size === 0
            ? p.secrets.apiKey
              ? { apiKeyEncrypted: box.seal(p.secrets.apiKey), apiKeyHint: maskSecret(p.secrets.apiKey) }
              : { apiKeyEncrypted: null, apiKeyHint: null }
            : {}),
          ...(changed.has('headers') || changed.size === 0 ? { headers: sealHeaders(p.secrets.headers, box) as object } : {}),
        };
        await tx.provider.upsert({ where: { name }, create: { name, ...data }, update: data });
      }
      const providerIds = await idsByName(tx.provider);
      for (const name of touched('model')) {
        const m = desired.models.get(name)!;
        const data = {
          providerId: idNamed(providerIds, m.provider, `models.${name}.provider`, 'provider'),
          upstreamModel: m.upstreamModel,
          // Limits, prices and capabilities the file leaves out are cleared.
          ...absentAsNull(m, PRESET_FIELDS),
          mode: m.mode,
          unitPrices: m.unitPrices ?? dbNull(tx),
          requestDefaults: sealRequestDefaults({ body: m.requestDefaults?.body, headers: desired.modelSecrets.get(name)?.headers }, box) as object,
          secretRefs: {
            headers: Object.fromEntries(Object.entries(m.requestDefaults?.headers ?? {}).map(([h, ref]) => [h, parseEnvRef(ref)])),
          } as object,
          catalogKey: m.catalogKey ?? null,
          autoPromptCache: m.autoPromptCache ?? false,
          enabled: m.enabled,
          managedBy: MANAGED_BY_CONFIG,
        };
        await tx.model.upsert({ where: { name }, create: { name, ...data }, update: data });
      }
      const routeNames = touched('virtualModel');
      if (routeNames.size) {
        const modelIds = await idsByName(tx.model);
        for (const name of routeNames) {
          const v = desired.virtualModels.get(name)!;
          const targets = v.targets.map((t, i) => ({
            modelId: idNamed(modelIds, t.model, `virtualModels.${name}.targets.${i}.model`, 'model'),
            weight: t.weight,
            priority: t.priority,
          }));
          const data = {
            description: v.description ?? null,
            strategy: v.strategy,
            options: (v.options ?? {}) as object,
            enabled: v.enabled,
            cache: v.cache ? (v.cache as object) : dbNull(tx),
            managedBy: MANAGED_BY_CONFIG,
          };
          const row = await tx.virtualModel.upsert({ where: { name }, create: { name, ...data }, update: data });
          await tx.virtualModelTarget.deleteMany({ where: { virtualModelId: row.id } });
          await tx.promptRule.deleteMany({ where: { virtualModelId: row.id } });
          await tx.virtualModelTarget.createMany({ data: targets.map((t) => ({ ...t, virtualModelId: row.id })) });
          if (v.rules.length) {
            await tx.promptRule.createMany({
              data: v.rules.map((r, position) => ({ virtualModelId: row.id, position, kind: r.kind, enabled: r.enabled, config: r.config as object })),
            });
          }
        }
      }
      for (const name of touched('virtualKey')) {
        const k = desired.virtualKeys.get(name)!;
        const data = {
          allowedModels: k.allowedModels ?? undefined,
          ...absentAsNull(k, ['rpmLimit', 'tpmLimit', 'maxConcurrency', 'budgetUsd', 'budgetPeriod']),
          expiresAt: k.expiresAt ? new Date(k.expiresAt) : null,
          enabled: k.enabled,
          logBodies: k.logBodies,
          cache: k.cache ? (k.cache as object) : dbNull(tx),
          managedBy: MANAGED_BY_CONFIG,
        };
        const existing = await tx.virtualKey.findFirst({ where: { name, purpose: 'app', revokedAt: null }, orderBy: { createdAt: 'asc' } });
        if (existing) {
          await tx.virtualKey.update({ where: { id: existing.id }, data: { ...data, allowedModels: k.allowedModels ?? dbNull(tx) } });
        } else {
          const { key, hash, prefix } = generateVirtualKey();
          await tx.virtualKey.create({ data: { name, keyHash: hash, keyPrefix: prefix, ...data } });
          outcome.createdKeys.push({ name, key });
        }
      }
      for (const id of touched('healthTarget')) {
        const h = desired.healthTargets.get(id)!;
        const data = {
          name: h.name,
          enabled: h.enabled,
          intervalSeconds: h.intervalSeconds,
          checkPrompt: h.checkPrompt,
          checkConfig: (h.checkConfig ?? {}) as object,
          managedBy: MANAGED_BY_CONFIG,
        };
        await tx.healthTarget.upsert({
          where: { kind_modelName: { kind: h.kind, modelName: h.model } },
          create: { kind: h.kind, modelName: h.model, ...data },
          update: data,
        });
      }
      await applyFeatures(tx, box, plan, desired);

      for (const id of deleted('healthTarget')) {
        const [kind, ...model] = id.split(':');
        await tx.healthTarget.deleteMany({ where: { kind, modelName: model.join(':') } });
      }
      const keys = deleted('virtualKey');
      if (keys.length) await tx.virtualKey.deleteMany({ where: { name: { in: keys }, purpose: 'app' } });
      const routes = deleted('virtualModel');
      if (routes.length) await tx.virtualModel.deleteMany({ where: { name: { in: routes } } });
      const models = deleted('model');
      if (models.length) await tx.model.deleteMany({ where: { name: { in: models } } });
      const providers = deleted('provider');
      if (providers.length) await tx.provider.deleteMany({ where: { name: { in: providers } } });

      await markManaged(tx, desired, sections);
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  return outcome;
}

/** Declared objects are marked managed, and objects of a declared section the file no longer names are not. */
async function markManaged(tx: Tx, desired: ConfigState, sections: Set<Section>): Promise<void> {
  const mark = async (model: { updateMany(args: { where: object; data: object }): Promise<unknown> }, names: string[], field = 'name', extra: object = {}) => {
    await model.updateMany({ where: { ...extra, [field]: { in: names }, managedBy: null }, data: { managedBy: MANAGED_BY_CONFIG } });
    await model.updateMany({ where: { ...extra, [field]: { notIn: names }, managedBy: MANAGED_BY_CONFIG }, data: { managedBy: null } });
  };
  if (sections.has('providers')) await mark(tx.provider, [...desired.providers.keys()]);
  if (sections.has('models')) await mark(tx.model, [...desired.models.keys()]);
  if (sections.has('virtualModels')) await mark(tx.virtualModel, [...desired.virtualModels.keys()]);
  if (sections.has('virtualKeys')) await mark(tx.virtualKey, [...desired.virtualKeys.keys()], 'name', { purpose: 'app' });
  if (sections.has('healthTargets')) {
    const declared = new Set(desired.healthTargets.keys());
    for (const t of await tx.healthTarget.findMany({ select: { id: true, kind: true, modelName: true, managedBy: true } })) {
      const want = declared.has(healthKey(t.kind, t.modelName)) ? MANAGED_BY_CONFIG : null;
      if (t.managedBy !== want) await tx.healthTarget.update({ where: { id: t.id }, data: { managedBy: want } });
    }
  }
}
