import { checkedRule, ruleConfigOf as configOf, type RuleConfig as Config } from '../../config-service/prompt-rules.js';
import { GatewayError } from '../../core/error.js';
import type { CompiledRule, RuleKind } from '../../prompts/index.js';
import { previewPromptRules } from '../../plugins/prompt-rules-preview.js';
import { findPreset } from '../../proxy/providers/presets.js';
import { actorOf } from '../actor.js';
import { builder, type InputFieldBuilder } from '../builder.js';
import { describedEnum } from '../enums.js';
import { badInput } from '../errors.js';

const PromptRuleKindEnum = describedEnum('PromptRuleKind', {
  replace: 'Replace text (literal or regular expression) in system and/or user messages.',
  prepend: 'Add text before the system prompt or the last user message.',
  append: 'Add text after the system prompt or the last user message.',
  set_system: 'Replace the system prompt, or insert one when absent.',
  remove_system: 'Remove every system and developer message.',
  inject_message: 'Add a message at the start or the end of the conversation.',
});
const ScopeEnum = builder.enumType('PromptRuleScope', { values: { SYSTEM: { value: 'system' }, USER: { value: 'user' } } as const });
const TargetEnum = builder.enumType('PromptRuleTarget', { values: { SYSTEM: { value: 'system' }, LAST_USER: { value: 'last_user' } } as const });
const AtEnum = builder.enumType('PromptRulePosition', { values: { START: { value: 'start' }, END: { value: 'end' } } as const });
const RoleEnum = builder.enumType('PromptRuleRole', {
  values: { SYSTEM: { value: 'system' }, USER: { value: 'user' }, ASSISTANT: { value: 'assistant' } } as const,
});
const ClientFormatEnum = describedEnum('ClientFormat', {
  'chat-completions': 'POST /v1/chat/completions',
  responses: 'POST /v1/responses',
  messages: 'POST /v1/messages',
});

const pick = <T>(rule: { config: unknown }, key: string) => (configOf(rule)[key] ?? null) as T | null;

builder.prismaObject('PromptRule', {
  description: 'One prompt rewrite of a virtual model. Rules run in `position` order on every request, whatever its client API.',
  fields: (t) => ({
    id: t.exposeID('id'),
    virtualModelId: t.exposeID('virtualModelId'),
    position: t.exposeInt('position'),
    enabled: t.exposeBoolean('enabled'),
    kind: t.field({ type: PromptRuleKindEnum, resolve: (r) => r.kind as RuleKind }),
    config: t.expose('config', { type: 'JSON', description: 'The validated settings, as stored.' }),
    match: t.string({ nullable: true, resolve: (r) => pick(r, 'match') }),
    replacement: t.string({ nullable: true, resolve: (r) => pick(r, 'replacement') }),
    regex: t.boolean({ nullable: true, resolve: (r) => pick(r, 'regex') }),
    caseSensitive: t.boolean({ nullable: true, resolve: (r) => pick(r, 'caseSensitive') }),
    scope: t.field({ type: [ScopeEnum], nullable: true, resolve: (r) => pick<Array<'system' | 'user'>>(r, 'scope') }),
    text: t.string({ nullable: true, resolve: (r) => pick(r, 'text') }),
    target: t.field({ type: TargetEnum, nullable: true, resolve: (r) => pick<'system' | 'last_user'>(r, 'target') }),
    role: t.field({ type: RoleEnum, nullable: true, resolve: (r) => pick<'system' | 'user' | 'assistant'>(r, 'role') }),
    at: t.field({ type: AtEnum, nullable: true, resolve: (r) => pick<'start' | 'end'>(r, 'at') }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField('VirtualModel', 'rules', (t) =>
  t.relation('rules', { description: 'Prompt rules in the order they run.', query: { orderBy: { position: 'asc' } } }),
);

const ruleFields = (t: InputFieldBuilder, kindRequired: boolean) => ({
  kind: t.field({ type: PromptRuleKindEnum, required: kindRequired }),
  enabled: t.boolean(),
  match: t.string({ description: 'replace: the text or pattern to find.' }),
  replacement: t.string({ description: 'replace: what replaces each match (`$1`… refer to groups of a regex).' }),
  regex: t.boolean({ description: 'replace: `match` is a regular expression (RE2 syntax: no lookaround or backreferences). Default false.' }),
  caseSensitive: t.boolean({ description: 'replace: letter case must match. Default true; false ignores case for literal and regex alike.' }),
  scope: t.field({ type: [ScopeEnum], description: 'replace: the messages to search (system covers developer messages). Default both.' }),
  text: t.string({ description: 'prepend / append / set system / inject: the text.' }),
  target: t.field({ type: TargetEnum, description: 'prepend / append: the system prompt (default) or the last user message.' }),
  role: t.field({ type: RoleEnum, description: 'inject: the role of the new message (default USER).' }),
  at: t.field({ type: AtEnum, description: 'inject: START (after the system prompt) or END (default).' }),
});
const PromptRuleInput = builder.inputType('PromptRuleInput', { fields: (t) => ruleFields(t, true) });
const UpdatePromptRuleInput = builder.inputType('UpdatePromptRuleInput', { fields: (t) => ruleFields(t, false) });

type RuleInput = { kind?: string | null; enabled?: boolean | null } & Record<string, unknown>;
const CONFIG_KEYS = ['match', 'replacement', 'regex', 'caseSensitive', 'scope', 'text', 'target', 'role', 'at'];

function configFromInput(input: RuleInput): Config {
  const out: Config = {};
  for (const key of CONFIG_KEYS) if (input[key] !== undefined && input[key] !== null) out[key] = input[key];
  return out;
}

builder.queryField('promptRules', (t) =>
  t.prismaField({
    type: ['PromptRule'],
    args: { virtualModelId: t.arg.id({ required: true }) },
    resolve: (query, _root, { virtualModelId }, ctx) =>
      ctx.services.db.promptRule.findMany({ ...query, where: { virtualModelId: String(virtualModelId) }, orderBy: { position: 'asc' } }),
  }),
);

builder.mutationField('createPromptRule', (t) =>
  t.prismaField({
    type: 'PromptRule',
    description: "Adds a rule at the end of the virtual model's list.",
    args: { virtualModelId: t.arg.id({ required: true }), input: t.arg({ type: PromptRuleInput, required: true }) },
    resolve: async (query, _root, { virtualModelId, input }, ctx) => {
      const { id } = await ctx.services.configService.promptRules.create(
        actorOf(ctx),
        String(virtualModelId),
        { kind: String(input.kind), config: configFromInput(input), enabled: typeof input.enabled === 'boolean' ? input.enabled : undefined },
        'input.',
      );
      return ctx.services.db.promptRule.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updatePromptRule', (t) =>
  t.prismaField({
    type: 'PromptRule',
    description: 'Changes a rule. Without `kind` the given settings merge over the stored ones; with a new kind they replace them.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdatePromptRuleInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      await ctx.services.configService.promptRules.update(
        actorOf(ctx),
        String(id),
        {
          kind: input.kind ? String(input.kind) : undefined,
          config: configFromInput(input),
          enabled: typeof input.enabled === 'boolean' ? input.enabled : undefined,
        },
        'input.',
      );
      return ctx.services.db.promptRule.findUniqueOrThrow({ ...query, where: { id: String(id) } });
    },
  }),
);

builder.mutationField('deletePromptRule', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.configService.promptRules.delete(actorOf(ctx), String(id));
      return true;
    },
  }),
);

builder.mutationField('reorderPromptRules', (t) =>
  t.prismaField({
    type: ['PromptRule'],
    description: "Sets the order of a virtual model's rules: `ruleIds` must list each of its rules exactly once.",
    args: { virtualModelId: t.arg.id({ required: true }), ruleIds: t.arg.idList({ required: true }) },
    resolve: async (query, _root, { virtualModelId, ruleIds }, ctx) => {
      const rows = await ctx.services.configService.promptRules.reorder(actorOf(ctx), String(virtualModelId), ruleIds.map(String));
      return ctx.services.db.promptRule.findMany({ ...query, where: { id: { in: rows.map((r) => r.id) } }, orderBy: { position: 'asc' } });
    },
  }),
);

const FiredRuleType = builder.simpleObject('FiredPromptRule', {
  fields: (t) => ({ id: t.id({ description: 'Rule id (`rules[i]` for unsaved rules of a preview).' }), kind: t.field({ type: PromptRuleKindEnum }) }),
});
const PreviewType = builder.simpleObject('PromptRulePreview', {
  fields: (t) => ({
    request: t.field({ type: 'JSON', description: "The request as the upstream would receive it, in the sample's own format." }),
    rulesApplied: t.field({ type: [FiredRuleType], description: 'Rules that changed the sample, in order.' }),
  }),
});

builder.queryField('previewPromptRules', (t) =>
  t.field({
    type: PreviewType,
    description:
      "Rewrites a sample request with a virtual model's enabled rules (virtualModelId) or with draft rules (rules), and returns it in the same format.",
    args: {
      virtualModelId: t.arg.id(),
      rules: t.arg({ type: [PromptRuleInput] }),
      format: t.arg({ type: ClientFormatEnum, required: true }),
      sampleRequest: t.arg({ type: 'JSON', required: true, description: 'A request body: a JSON object, or text holding one.' }),
    },
    resolve: async (_root, args, ctx) => {
      let compiled: CompiledRule[];
      if (args.rules) {
        compiled = args.rules
          .filter((r) => r.enabled !== false)
          .map((r, i) => checkedRule(String(r.kind), configFromInput(r as RuleInput), `rules.${i}.`, `rules[${i}]`).compiled);
      } else if (args.virtualModelId) {
        const rows = await ctx.services.db.promptRule.findMany({
          where: { virtualModelId: String(args.virtualModelId), enabled: true },
          orderBy: { position: 'asc' },
        });
        compiled = rows.map((r) => checkedRule(r.kind, configOf(r), `rule ${r.id}: `, r.id).compiled);
      } else {
        throw badInput('Give virtualModelId or rules', 'rules');
      }
      const sample = parseSample(args.sampleRequest);
      try {
        const { request, fired } = previewPromptRules(compiled, args.format, sample);
        return { request, rulesApplied: fired };
      } catch (error) {
        if (error instanceof GatewayError) throw badInput(`sampleRequest: ${error.message}`, 'sampleRequest');
        throw error;
      }
    },
  }),
);

function parseSample(value: unknown): Record<string, unknown> {
  let sample = value;
  if (typeof value === 'string') {
    try {
      sample = JSON.parse(value);
    } catch (error) {
      throw badInput(`sampleRequest: not valid JSON (${(error as Error).message})`, 'sampleRequest');
    }
  }
  if (sample === null || typeof sample !== 'object' || Array.isArray(sample)) throw badInput('sampleRequest: must be a JSON object', 'sampleRequest');
  return sample as Record<string, unknown>;
}

const RelaySettingsType = builder.simpleObject('RelaySettings', {
  description: 'Relay mode of a Responses-wire provider (options.relay); see the README.',
  fields: (t) => ({
    instructionsPolicy: t.string({ description: 'passthrough | fill-if-empty | prepend | isolate' }),
    upstreamInstructions: t.string(),
    droppedFields: t.stringList(),
    forceStoreFalse: t.boolean(),
    forceStream: t.boolean(),
  }),
});

builder.queryField('relayDefaults', (t) =>
  t.field({
    type: RelaySettingsType,
    nullable: true,
    description: "The relay defaults a provider type brings (null when it has none); a provider's options.relay overrides them field by field.",
    args: { type: t.arg.string({ required: true }) },
    resolve: (_root, { type }) => {
      const preset = findPreset(type);
      if (!preset?.relay) return null;
      return { instructionsPolicy: 'passthrough', upstreamInstructions: '', droppedFields: [], forceStoreFalse: false, forceStream: false, ...preset.relay };
    },
  }),
);
