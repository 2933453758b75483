import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { isRuleKind, parseRuleParams, type AlertRuleSpec } from './rules.js';
import { CHANNEL_KINDS, type Alert, type ChannelKind, type ChannelTarget, type Delivery } from './types.js';

/** Alert rows in the database: channels (secrets opened only here), rules and history. */

const CHANNEL_KIND_SET = new Set<string>(CHANNEL_KINDS);
export const isChannelKind = (v: string): v is ChannelKind => CHANNEL_KIND_SET.has(v);

const asIds = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export async function enabledRules(db: Db): Promise<AlertRuleSpec[]> {
  const rows = await db.alertRule.findMany({ where: { enabled: true } });
  const rules: AlertRuleSpec[] = [];
  for (const row of rows) {
    if (!isRuleKind(row.kind)) continue;
    const parsed = parseRuleParams(row.kind, row.params);
    if (!parsed.ok) continue;
    rules.push({
      id: row.id,
      name: row.name,
      kind: row.kind,
      params: parsed.params,
      channelIds: asIds(row.channelIds),
      cooldownMs: row.cooldownSeconds * 1000,
    } as AlertRuleSpec);
  }
  return rules;
}

/** Channels by id, enabled ones only, with URL and secret opened. */
export async function channelTargets(db: Db, box: SecretBox, ids: string[], includeDisabled = false): Promise<ChannelTarget[]> {
  if (!ids.length) return [];
  const rows = await db.alertChannel.findMany({ where: { id: { in: ids }, ...(includeDisabled ? {} : { enabled: true }) } });
  return rows
    .filter((r) => isChannelKind(r.kind))
    .map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind as ChannelKind,
      url: box.open(r.urlSealed),
      secret: r.secretSealed ? box.open(r.secretSealed) : undefined,
      options: r.options && typeof r.options === 'object' ? (r.options as Record<string, unknown>) : undefined,
    }));
}

/** The last alert sent for a subject (any of the dedup keys), newest first. */
export async function lastEvent(db: Db, ruleId: string, dedupKeys: string[]) {
  return db.alertEvent.findFirst({ where: { ruleId, dedupKey: { in: dedupKeys } }, orderBy: { createdAt: 'desc' } });
}

export async function recordEvent(db: Db, rule: { id: string | null; name: string }, alert: Alert, deliveries: Delivery[]) {
  return db.alertEvent.create({
    data: {
      ruleId: rule.id,
      ruleName: rule.name,
      kind: alert.kind,
      dedupKey: alert.dedupKey,
      severity: alert.severity,
      title: alert.title,
      message: alert.message,
      deliveries,
      createdAt: alert.at,
    },
  });
}
