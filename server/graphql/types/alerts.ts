import { z } from 'zod';
import {
  CHANNEL_KINDS,
  channelOptionsProblem,
  channelUrlProblem,
  isChannelKind,
  isRuleKind,
  parseRuleParams,
  RULE_KINDS,
  sendTestAlert,
} from '../../alerts/index.js';
import { maskSecret } from '../../crypto/secret-box.js';
import { builder } from '../builder.js';
import { badInput, fromZod, notFound, uniqueViolation } from '../errors.js';

/**
 * Alert channels, rules and the history of sent alerts (server/alerts). Channel
 * URLs and secrets are sealed at rest and never returned: the API shows a masked
 * URL and whether a secret is set.
 */

const ChannelKindEnum = builder.enumType('AlertChannelKind', {
  values: Object.fromEntries(CHANNEL_KINDS.map((k) => [k.toUpperCase(), { value: k }])) as Record<
    Uppercase<(typeof CHANNEL_KINDS)[number]>,
    { value: (typeof CHANNEL_KINDS)[number] }
  >,
});
const RuleKindEnum = builder.enumType('AlertRuleKind', {
  values: Object.fromEntries(RULE_KINDS.map((k) => [k.toUpperCase(), { value: k }])) as Record<
    Uppercase<(typeof RULE_KINDS)[number]>,
    { value: (typeof RULE_KINDS)[number] }
  >,
});

interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  urlSealed: string;
  secretSealed: string | null;
  options: unknown;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}
interface RuleRow {
  id: string;
  name: string;
  kind: string;
  params: unknown;
  channelIds: unknown;
  cooldownSeconds: number;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}
interface EventRow {
  id: string;
  createdAt: Date;
  ruleId: string | null;
  ruleName: string;
  kind: string;
  dedupKey: string;
  severity: string;
  title: string;
  message: string;
  deliveries: unknown;
}

/** `https://hooks.slack.com/…/a1b2`: which endpoint, never its token. */
function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…${maskSecret(u.pathname + u.search).slice(-5)}`;
  } catch {
    return maskSecret(url);
  }
}

const AlertChannel = builder.objectRef<ChannelRow>('AlertChannel');
AlertChannel.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: ChannelKindEnum, resolve: (c) => (isChannelKind(c.kind) ? c.kind : 'webhook') }),
    url: t.string({
      description: 'The URL, masked (it usually carries the bot token).',
      resolve: (c, _a, ctx) => maskUrl(ctx.services.secretBox.open(c.urlSealed)),
    }),
    hasSecret: t.boolean({ resolve: (c) => c.secretSealed !== null }),
    options: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.options ?? null }),
    enabled: t.exposeBoolean('enabled'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AlertRule = builder.objectRef<RuleRow>('AlertRule');
AlertRule.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: RuleKindEnum, resolve: (r) => (isRuleKind(r.kind) ? r.kind : 'target_down') }),
    params: t.field({ type: 'JSON', resolve: (r) => r.params }),
    channelIds: t.idList({ resolve: (r) => (Array.isArray(r.channelIds) ? (r.channelIds as string[]) : []) }),
    cooldownSeconds: t.exposeInt('cooldownSeconds'),
    enabled: t.exposeBoolean('enabled'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AlertDelivery = builder.objectRef<{ channelId: string; channel: string; kind: string; ok: boolean; error?: string }>('AlertDelivery');
AlertDelivery.implement({
  fields: (t) => ({
    channelId: t.exposeID('channelId'),
    channel: t.exposeString('channel'),
    kind: t.exposeString('kind'),
    ok: t.exposeBoolean('ok'),
    error: t.string({ nullable: true, resolve: (d) => d.error ?? null }),
  }),
});

const AlertEvent = builder.objectRef<EventRow>('AlertEvent');
AlertEvent.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    ruleId: t.exposeID('ruleId', { nullable: true }),
    ruleName: t.exposeString('ruleName'),
    kind: t.exposeString('kind'),
    severity: t.exposeString('severity'),
    title: t.exposeString('title'),
    message: t.exposeString('message'),
    deliveries: t.field({ type: [AlertDelivery], resolve: (e) => (Array.isArray(e.deliveries) ? (e.deliveries as never[]) : []) }),
  }),
});

/** Webhooks and bots over http(s); mail through an smtp(s):// server. */
function checkUrl(kind: string, value: string): void {
  const problem = channelUrlProblem(kind, value);
  if (problem) throw badInput(problem, 'url');
}
function checkOptions(kind: string, options: unknown): void {
  const problem = channelOptionsProblem(kind, options);
  if (problem) throw badInput(problem, 'options');
}
const channelInput = z.object({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(CHANNEL_KINDS),
  url: z.string(),
  secret: z.string().min(1).max(500).nullish(),
  options: z.record(z.string(), z.unknown()).nullish(),
  enabled: z.boolean().nullish(),
});

const ChannelInput = builder.inputType('AlertChannelInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: ChannelKindEnum, required: true }),
    url: t.string({ required: true, description: 'Webhook URL (stored sealed).' }),
    secret: t.string({ description: 'Signing secret: webhook HMAC, Feishu or DingTalk signature (stored sealed).' }),
    options: t.field({ type: 'JSON' }),
    enabled: t.boolean(),
  }),
});
const UpdateChannelInput = builder.inputType('UpdateAlertChannelInput', {
  fields: (t) => ({
    name: t.string(),
    url: t.string({ description: 'A new URL; omitted keeps the stored one.' }),
    secret: t.string({ description: 'A new secret; an empty string removes it; omitted keeps it.' }),
    options: t.field({ type: 'JSON' }),
    enabled: t.boolean(),
  }),
});

const RuleInput = builder.inputType('AlertRuleInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: RuleKindEnum, required: true }),
    params: t.field({ type: 'JSON', description: 'Kind-specific parameters (docs/ALERTS.md).' }),
    channelIds: t.idList({ required: true }),
    cooldownSeconds: t.int(),
    enabled: t.boolean(),
  }),
});
const UpdateRuleInput = builder.inputType('UpdateAlertRuleInput', {
  fields: (t) => ({
    name: t.string(),
    params: t.field({ type: 'JSON' }),
    channelIds: t.idList(),
    cooldownSeconds: t.int(),
    enabled: t.boolean(),
  }),
});

function checkCooldown(value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > 7 * 86_400) throw badInput('cooldownSeconds: between 0 and 604800', 'cooldownSeconds');
  return value;
}

async function checkChannels(
  db: { alertChannel: { count(args: { where: { id: { in: string[] } } }): Promise<number> } },
  ids: readonly (string | number)[],
): Promise<string[]> {
  const list = [...new Set(ids.map(String))];
  if ((await db.alertChannel.count({ where: { id: { in: list } } })) !== list.length) throw badInput('channelIds: unknown channel', 'channelIds');
  return list;
}

builder.queryFields((t) => ({
  alertChannels: t.field({ type: [AlertChannel], resolve: (_r, _a, ctx) => ctx.services.db.alertChannel.findMany({ orderBy: { name: 'asc' } }) }),
  alertRules: t.field({ type: [AlertRule], resolve: (_r, _a, ctx) => ctx.services.db.alertRule.findMany({ orderBy: { name: 'asc' } }) }),
  alertHistory: t.field({
    type: [AlertEvent],
    description: 'Sent alerts, newest first.',
    args: { take: t.arg.int({ defaultValue: 100 }) },
    resolve: (_r, { take }, ctx) => ctx.services.db.alertEvent.findMany({ orderBy: { createdAt: 'desc' }, take: Math.min(Math.max(take ?? 100, 1), 500) }),
  }),
}));

builder.mutationFields((t) => ({
  createAlertChannel: t.field({
    type: AlertChannel,
    args: { input: t.arg({ type: ChannelInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const parsed = channelInput.safeParse(input);
      if (!parsed.success) throw fromZod(parsed.error);
      const { name, kind, url: plainUrl, secret, options, enabled } = parsed.data;
      checkUrl(kind, plainUrl);
      checkOptions(kind, options);
      const box = ctx.services.secretBox;
      try {
        return await ctx.services.db.alertChannel.create({
          data: {
            name,
            kind,
            urlSealed: box.seal(plainUrl),
            secretSealed: secret ? box.seal(secret) : null,
            // tsc needs the assertion for Prisma's Json input; the lint's project service resolves the column loosely.
            // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
            options: (options ?? undefined) as object | undefined,
            enabled: enabled ?? true,
          },
        });
      } catch (error) {
        throw uniqueViolation(error, `An alert channel named "${name}" already exists`) ?? error;
      }
    },
  }),
  updateAlertChannel: t.field({
    type: AlertChannel,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateChannelInput, required: true }) },
    resolve: async (_r, { id, input }, ctx) => {
      const { db, secretBox: box } = ctx.services;
      const row = await db.alertChannel.findUnique({ where: { id: String(id) } });
      if (!row) throw notFound('Alert channel');
      const data: Record<string, unknown> = {};
      if (input.name) data.name = input.name.trim();
      if (input.url) {
        checkUrl(row.kind, input.url);
        data.urlSealed = box.seal(input.url);
      }
      if (input.options !== undefined && input.options !== null) checkOptions(row.kind, input.options);
      if (input.secret !== null && input.secret !== undefined) data.secretSealed = input.secret === '' ? null : box.seal(input.secret);
      if (input.options !== undefined) data.options = input.options ?? undefined;
      if (input.enabled !== null && input.enabled !== undefined) data.enabled = input.enabled;
      try {
        return await db.alertChannel.update({ where: { id: String(id) }, data });
      } catch (error) {
        throw uniqueViolation(error, `An alert channel named "${input.name}" already exists`) ?? error;
      }
    },
  }),
  deleteAlertChannel: t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => (await ctx.services.db.alertChannel.deleteMany({ where: { id: String(id) } })).count > 0,
  }),
  createAlertRule: t.field({
    type: AlertRule,
    args: { input: t.arg({ type: RuleInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const { db } = ctx.services;
      const name = input.name.trim();
      if (!name) throw badInput('name: required', 'name');
      const params = parseRuleParams(input.kind, input.params ?? {});
      if (!params.ok) throw badInput(params.error, 'params');
      const channelIds = await checkChannels(db, input.channelIds);
      try {
        return await db.alertRule.create({
          data: {
            name,
            kind: input.kind,
            params: params.params as object,
            channelIds,
            cooldownSeconds: checkCooldown(input.cooldownSeconds) ?? 600,
            enabled: input.enabled ?? true,
          },
        });
      } catch (error) {
        throw uniqueViolation(error, `An alert rule named "${name}" already exists`) ?? error;
      }
    },
  }),
  updateAlertRule: t.field({
    type: AlertRule,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateRuleInput, required: true }) },
    resolve: async (_r, { id, input }, ctx) => {
      const { db } = ctx.services;
      const row = await db.alertRule.findUnique({ where: { id: String(id) } });
      if (!row || !isRuleKind(row.kind)) throw notFound('Alert rule');
      const data: Record<string, unknown> = {};
      if (input.name) data.name = input.name.trim();
      if (input.params !== undefined && input.params !== null) {
        const params = parseRuleParams(row.kind, input.params);
        if (!params.ok) throw badInput(params.error, 'params');
        data.params = params.params;
      }
      if (input.channelIds) data.channelIds = await checkChannels(db, input.channelIds);
      const cooldown = checkCooldown(input.cooldownSeconds);
      if (cooldown !== undefined) data.cooldownSeconds = cooldown;
      if (input.enabled !== null && input.enabled !== undefined) data.enabled = input.enabled;
      try {
        return await db.alertRule.update({ where: { id: String(id) }, data });
      } catch (error) {
        throw uniqueViolation(error, `An alert rule named "${input.name}" already exists`) ?? error;
      }
    },
  }),
  deleteAlertRule: t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => (await ctx.services.db.alertRule.deleteMany({ where: { id: String(id) } })).count > 0,
  }),
  sendTestAlert: t.field({
    type: AlertDelivery,
    description: 'Sends a test alert to one channel now (also when it is disabled); the result is kept in the history.',
    args: { channelId: t.arg.id({ required: true }) },
    resolve: async (_r, { channelId }, ctx) => {
      const delivery = await sendTestAlert(ctx.services.db, ctx.services.secretBox, String(channelId), ctx.user?.email ?? 'an admin');
      if (!delivery) throw notFound('Alert channel');
      return delivery;
    },
  }),
}));
