import { z } from 'zod';
import { CHANNEL_KINDS, RULE_KINDS as ALERT_RULE_KINDS } from '../alerts/types.js';
import { DETECTORS } from '../guardrails/detectors.js';
import { checkConfigSchema } from '../health/check-config.js';
import { providerOptionsSchema } from '../proxy/providers/options-schema.js';
import { findPreset, PROVIDER_PRESETS } from '../proxy/providers/presets.js';
import { RULE_KINDS } from '../prompts/types.js';
import { publicName } from '../config-service/fields.js';
import { routeOptionsSchema } from '../snapshot/route-options.js';

/**
 * The gateway's configuration file (YAML), version 1. Every top-level section is
 * optional and objects are matched by name, so new sections can be added
 * later without changing the meaning of existing files.
 */

/** `${env:NAME}`: the only way a secret appears in a file. */
export const SECRET_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const secretRef = z.string().regex(SECRET_REF, 'must be a reference to an environment variable, ${env:NAME} (secrets are never written in the file)');

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and dashes');
const price = z.number().min(0, 'must not be negative').max(1, 'is USD per single token');
const tokens = z.number().int().positive('must be a positive integer');
const unitPrice = z.number().min(0, 'must not be negative').max(1000, 'is USD per unit');
/** Model.unitPrices (core/unit-prices.ts): USD per image (by "quality/size" or "size"), per second of audio, per 1000 speech characters, per search. */
const unitPrices = z
  .object({
    image: unitPrice.optional(),
    imageBySize: z.record(z.string().regex(/^(\w+\/)?\d+x\d+$/, 'is "size" or "quality/size", e.g. "1024x1024" or "hd/1024x1792"'), unitPrice).optional(),
    audioSecond: unitPrice.optional(),
    speech1kChars: unitPrice.optional(),
    search: unitPrice.optional(),
  })
  .strict();
const nonNegative = z.number().int().min(0, 'must not be negative');

/** Response-cache settings (docs/CACHING.md); absent: caching only on request (`x-gateway-cache-ttl`). */
const keyCacheSchema = z
  .object({
    enabled: z.boolean(),
    ttlSeconds: z.number().int().positive('must be a positive number of seconds').max(31_536_000, 'must be at most a year').optional(),
    shared: z.boolean().optional(),
    clientControl: z.boolean().optional(),
  })
  .strict();
const virtualModelCacheSchema = keyCacheSchema
  .extend({
    semantic: z
      .object({
        enabled: z.boolean(),
        embeddingModel: z.string().trim().min(1, 'is required'),
        threshold: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1').optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const providerSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(100),
    type: z
      .string()
      .refine((v) => findPreset(v) !== undefined, { message: 'unknown provider type (see providerPresets)' })
      .meta({ enum: PROVIDER_PRESETS.map((p) => p.type) }),
    baseUrl: z
      .string()
      .trim()
      .url('must be an absolute http(s) URL')
      .refine((v) => /^https?:\/\//.test(v), 'must use http or https')
      .optional(),
    apiKey: secretRef.optional(),
    headers: z.record(headerName, secretRef).optional(),
    options: providerOptionsSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const modelSchema = z
  .object({
    name: publicName,
    provider: z.string().min(1, 'is required'),
    upstreamModel: z.string().trim().min(1).max(300).optional(),
    mode: z.enum(['chat', 'embedding', 'responses']).optional(),
    contextWindow: tokens.optional(),
    maxOutputTokens: tokens.optional(),
    inputPrice: price.optional(),
    outputPrice: price.optional(),
    cacheReadPrice: price.optional(),
    cacheWritePrice: price.optional(),
    /** Prices of the endpoints not billed per token (images, audio, speech, rerank). */
    unitPrices: unitPrices.optional(),
    supportsTools: z.boolean().optional(),
    supportsVision: z.boolean().optional(),
    supportsReasoning: z.boolean().optional(),
    requestDefaults: z
      // Header values are write-only in the gateway (like provider headers), so references here too.
      .object({ body: z.record(z.string(), z.unknown()).optional(), headers: z.record(headerName, secretRef).optional() })
      .strict()
      .optional(),
    catalogKey: z.string().min(1).optional(),
    /** Anthropic prompt caching: cache breakpoints added for clients that send none. */
    autoPromptCache: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const promptRuleSchema = z
  .object({
    kind: z.enum(RULE_KINDS),
    enabled: z.boolean().optional(),
    /** Checked by the prompt rules' own validation (server/prompts/validate.ts). */
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const virtualModelSchema = z
  .object({
    name: publicName,
    description: z.string().max(2000).optional(),
    strategy: z.enum(['LOAD_BALANCE', 'FAILOVER', 'LEAST_LATENCY']).optional(),
    options: routeOptionsSchema.partial().strict().optional(),
    enabled: z.boolean().optional(),
    targets: z
      .array(
        z.object({ model: z.string().min(1), weight: z.number().int().min(0).max(10_000).optional(), priority: nonNegative.max(10_000).optional() }).strict(),
      )
      .min(1, 'a virtual model needs at least one target')
      .max(50),
    rules: z.array(promptRuleSchema).max(100).optional(),
    cache: virtualModelCacheSchema.optional(),
  })
  .strict();

/** A virtual key's settings. Key material is never in a file: keys are matched by name. */
export const virtualKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    allowedModels: z.array(z.string().min(1)).max(1000).optional(),
    rpmLimit: tokens.optional(),
    tpmLimit: tokens.optional(),
    maxConcurrency: tokens.optional(),
    budgetUsd: z.number().positive('must be positive').optional(),
    budgetPeriod: z.enum(['daily', 'monthly', 'total']).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    enabled: z.boolean().optional(),
    logBodies: z.boolean().optional(),
    cache: keyCacheSchema.optional(),
  })
  .strict();

export const healthTargetSchema = z
  .object({
    model: z.string().min(1),
    kind: z.enum(['model', 'virtual_model']).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    enabled: z.boolean().optional(),
    intervalSeconds: z.number().int().min(5).max(86_400).optional(),
    checkPrompt: z.string().min(1).max(2000).optional(),
    checkConfig: checkConfigSchema.optional(),
  })
  .strict();

/** A guardrail (docs/GUARDRAILS.md); attached to virtual keys and virtual models by name. Patterns are checked as the admin API checks them. */
export const guardrailSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64), starting with a letter or digit'),
    description: z.string().max(2000).optional(),
    mode: z.enum(['mask', 'redact', 'block', 'log']),
    stage: z.enum(['request', 'response', 'both']).optional(),
    detectors: z
      .array(z.enum(DETECTORS))
      .max(DETECTORS.length * 2)
      .optional(),
    patterns: z
      .array(z.object({ label: z.string(), pattern: z.string().min(1), caseSensitive: z.boolean().optional() }).strict())
      .max(50)
      .optional(),
    words: z.array(z.string()).max(1000).optional(),
    moderation: z
      .object({
        model: z.string().min(1),
        format: z.enum(['openai-moderation', 'chat-verdict']).optional(),
        timeoutMs: z.number().int().optional(),
        failClosed: z.boolean().optional(),
        prompt: z.string().optional(),
      })
      .strict()
      .optional(),
    virtualKeys: z.array(z.string().min(1)).max(1000).optional(),
    virtualModels: z.array(z.string().min(1)).max(1000).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

/** An alert channel (docs/ALERTS.md). Its URL carries the bot's token, so it is a reference like the secret. */
export const alertChannelSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(CHANNEL_KINDS),
    url: secretRef,
    secret: secretRef.optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

/** An alert rule; `params` are checked per kind as the admin API checks them, `channels` are channel names. */
export const alertRuleSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(ALERT_RULE_KINDS),
    params: z.record(z.string(), z.unknown()).optional(),
    channels: z.array(z.string().min(1)).max(50),
    cooldownSeconds: z.number().int().min(0).max(604_800).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const settingsSchema = z.object({ monitoringEnabled: z.boolean().optional() }).strict();

const uniqueBy =
  <T>(what: string, key: (item: T) => string) =>
  (items: T[] | undefined, ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    for (const [i, item] of (items ?? []).entries()) {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', message: `${what} "${k}" appears twice`, path: [i] });
      seen.add(k);
    }
  };

export const gatewayConfigSchema = z
  .object({
    version: z.literal(1),
    settings: settingsSchema.optional(),
    providers: z
      .array(providerSchema)
      .optional()
      .superRefine(uniqueBy('provider', (p) => p.name)),
    models: z
      .array(modelSchema)
      .optional()
      .superRefine(uniqueBy('model', (m) => m.name)),
    virtualModels: z
      .array(virtualModelSchema)
      .optional()
      .superRefine(uniqueBy('virtual model', (v) => v.name)),
    virtualKeys: z
      .array(virtualKeySchema)
      .optional()
      .superRefine(uniqueBy('virtual key', (k) => k.name)),
    healthTargets: z
      .array(healthTargetSchema)
      .optional()
      .superRefine(uniqueBy('health target', (h) => `${h.kind ?? 'model'}:${h.model}`)),
    guardrails: z
      .array(guardrailSchema)
      .optional()
      .superRefine(uniqueBy('guardrail', (g) => g.name)),
    alertChannels: z
      .array(alertChannelSchema)
      .optional()
      .superRefine(uniqueBy('alert channel', (c) => c.name)),
    alertRules: z
      .array(alertRuleSchema)
      .optional()
      .superRefine(uniqueBy('alert rule', (r) => r.name)),
  })
  .strict();

export type GatewayConfigFile = z.infer<typeof gatewayConfigSchema>;
export type ProviderDecl = z.infer<typeof providerSchema>;
export type ModelDecl = z.infer<typeof modelSchema>;
export type VirtualModelDecl = z.infer<typeof virtualModelSchema>;
export type VirtualKeyDecl = z.infer<typeof virtualKeySchema>;
export type HealthTargetDecl = z.infer<typeof healthTargetSchema>;
export type GuardrailDecl = z.infer<typeof guardrailSchema>;
export type AlertChannelDecl = z.infer<typeof alertChannelSchema>;
export type AlertRuleDecl = z.infer<typeof alertRuleSchema>;

/** The JSON Schema published for editors (docs/gateway-config.schema.json). */
export function gatewayConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(gatewayConfigSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
    title: 'LLM Gateway configuration file',
  };
}
