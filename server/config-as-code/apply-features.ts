import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { Plan } from './plan.js';
import { idNamed, idsByName } from './rows-by-name.js';
import { channelRefs } from './state-features.js';
import type { ConfigState } from './state.js';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Guardrails, alert channels and alert rules of a plan, inside the apply
 * transaction and after keys and virtual models (which guardrails name).
 * Names become ids here: a key name means the oldest live key of that name,
 * as everywhere in a file.
 */
export async function applyFeatures(tx: Tx, box: SecretBox, plan: Plan, desired: ConfigState): Promise<void> {
  const touched = (kind: string) => plan.changes.filter((c) => c.kind === kind && c.action !== 'delete').map((c) => c.name);
  const deleted = (kind: string) => plan.changes.filter((c) => c.kind === kind && c.action === 'delete').map((c) => c.name);

  const guardrails = touched('guardrail');
  if (guardrails.length) {
    const keys = await tx.virtualKey.findMany({ where: { purpose: 'app', revokedAt: null }, orderBy: { createdAt: 'asc' }, select: { id: true, name: true } });
    const keyIds = new Map<string, string>();
    for (const k of keys) if (!keyIds.has(k.name)) keyIds.set(k.name, k.id);
    const routeIds = await idsByName(tx.virtualModel);
    const resolve = (names: string[] | undefined, ids: Map<string, string>, where: string) => (names ?? []).map((n) => idNamed(ids, n, where, 'object'));
    for (const name of guardrails) {
      const g = desired.guardrails.get(name)!;
      const data = {
        description: g.description ?? null,
        mode: g.mode,
        stage: g.stage,
        config: {
          detectors: g.detectors ?? [],
          patterns: g.patterns ?? [],
          words: g.words ?? [],
          ...(g.moderation ? { moderation: g.moderation } : {}),
        } as object,
        keyIds: resolve(g.virtualKeys, keyIds, `guardrails.${name}.virtualKeys`),
        virtualModelIds: resolve(g.virtualModels, routeIds, `guardrails.${name}.virtualModels`),
        enabled: g.enabled,
      };
      await tx.guardrail.upsert({ where: { name }, create: { name, ...data }, update: data });
    }
  }

  for (const name of touched('alertChannel')) {
    const { decl, secrets } = desired.alertChannels.get(name)!;
    const data = {
      kind: decl.kind,
      urlSealed: box.seal(secrets.url!),
      secretSealed: secrets.secret ? box.seal(secrets.secret) : null,
      options: (decl.options ?? {}) as object,
      secretRefs: channelRefs(decl) as object,
      enabled: decl.enabled,
    };
    await tx.alertChannel.upsert({ where: { name }, create: { name, ...data }, update: data });
  }
  const rules = touched('alertRule');
  if (rules.length) {
    const channelIds = await idsByName(tx.alertChannel);
    for (const name of rules) {
      const r = desired.alertRules.get(name)!;
      const data = {
        kind: r.kind,
        params: r.params as object,
        channelIds: r.channels.map((c) => idNamed(channelIds, c, `alertRules.${name}.channels`, 'alert channel')),
        cooldownSeconds: r.cooldownSeconds,
        enabled: r.enabled,
      };
      await tx.alertRule.upsert({ where: { name }, create: { name, ...data }, update: data });
    }
  }

  const goneRules = deleted('alertRule');
  if (goneRules.length) await tx.alertRule.deleteMany({ where: { name: { in: goneRules } } });
  const goneChannels = deleted('alertChannel');
  if (goneChannels.length) await tx.alertChannel.deleteMany({ where: { name: { in: goneChannels } } });
  const goneGuardrails = deleted('guardrail');
  if (goneGuardrails.length) await tx.guardrail.deleteMany({ where: { name: { in: goneGuardrails } } });
}
