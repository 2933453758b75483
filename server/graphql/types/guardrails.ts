import type { Prisma } from '../../db/generated/sqlite/index.js';
import { checkGuardrail, DETECTORS, GuardrailConfigError, isDetectorName, previewGuardrail, type GuardrailDraft } from '../../guardrails/index.js';
import { guardrailConfig, type GuardrailConfig, type GuardrailMode, type GuardrailStage } from '../../snapshot/guardrail-entry.js';
import { configChanged } from '../../snapshot/config-changed.js';
import { builder, type InputFieldBuilder } from '../builder.js';
import { describedEnum } from '../enums.js';
import { badInput, notFound } from '../errors.js';

/**
 * Guardrails (docs/GUARDRAILS.md): CRUD, attachment to virtual keys and
 * virtual models by id, and a preview of what a draft does to a sample text.
 * Every change goes through the one after-change path (snapshot reload).
 */

const ModeEnum = describedEnum('GuardrailMode', {
  mask: 'Replace values by placeholders upstream; restore them in the answer.',
  redact: 'Replace values for good.',
  block: 'Refuse the request (400 naming the guardrail), no upstream call.',
  log: 'Only record that values were found.',
});
const StageEnum = builder.enumType('GuardrailStage', {
  values: { REQUEST: { value: 'request' }, RESPONSE: { value: 'response' }, BOTH: { value: 'both' } } as const,
});
const DetectorEnum = builder.enumType('GuardrailDetector', {
  values: Object.fromEntries(DETECTORS.map((d) => [d.toUpperCase(), { value: d }])),
});
const ModerationFormatEnum = describedEnum('GuardrailModerationFormat', {
  'openai-moderation': 'POST {base URL}/moderations (OpenAI moderation format).',
  'chat-verdict': 'A chat model answers SAFE or FLAGGED to a verdict prompt.',
});

type Config = GuardrailConfig;
const PatternType = builder.objectRef<Config['patterns'][number]>('GuardrailPattern');
PatternType.implement({
  fields: (t) => ({
    label: t.exposeString('label', { description: 'Placeholder label: `[LABEL_1]`.' }),
    pattern: t.exposeString('pattern', { description: 'RE2 syntax (no lookaround or backreferences).' }),
    caseSensitive: t.exposeBoolean('caseSensitive'),
  }),
});
const ModerationType = builder.objectRef<NonNullable<Config['moderation']>>('GuardrailModeration');
ModerationType.implement({
  fields: (t) => ({
    model: t.exposeString('model', { description: 'A model configured in the gateway.' }),
    format: t.field({ type: ModerationFormatEnum, resolve: (m) => m.format }),
    timeoutMs: t.exposeInt('timeoutMs'),
    failClosed: t.exposeBoolean('failClosed', { description: 'A failed or timed-out check refuses the request (503) instead of letting it through.' }),
    prompt: t.exposeString('prompt', { nullable: true }),
  }),
});

const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

builder.prismaObject('Guardrail', {
  description: 'A check on requests and/or answers, attached to virtual keys and virtual models.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    mode: t.field({ type: ModeEnum, resolve: (g) => g.mode as GuardrailMode }),
    stage: t.field({ type: StageEnum, resolve: (g) => g.stage as GuardrailStage }),
    enabled: t.exposeBoolean('enabled'),
    detectors: t.field({ type: [DetectorEnum], resolve: (g) => guardrailConfig(g.config).detectors.filter(isDetectorName) }),
    patterns: t.field({ type: [PatternType], resolve: (g) => guardrailConfig(g.config).patterns }),
    words: t.stringList({ resolve: (g) => guardrailConfig(g.config).words }),
    moderation: t.field({ type: ModerationType, nullable: true, resolve: (g) => guardrailConfig(g.config).moderation ?? null }),
    keyIds: t.idList({ resolve: (g) => ids(g.keyIds) }),
    virtualModelIds: t.idList({ resolve: (g) => ids(g.virtualModelIds) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const PatternInput = builder.inputType('GuardrailPatternInput', {
  fields: (t) => ({ label: t.string({ required: true }), pattern: t.string({ required: true }), caseSensitive: t.boolean() }),
});
const ModerationInput = builder.inputType('GuardrailModerationInput', {
  fields: (t) => ({
    model: t.string({ required: true }),
    format: t.field({ type: ModerationFormatEnum }),
    timeoutMs: t.int({ description: 'Default 5000.' }),
    failClosed: t.boolean({ description: 'Default false (fail open).' }),
    prompt: t.string(),
  }),
});
const inputFields = (t: InputFieldBuilder, required: boolean) => ({
  name: t.string({ required }),
  description: t.string(),
  mode: t.field({ type: ModeEnum, required }),
  stage: t.field({ type: StageEnum, description: 'Default REQUEST.' }),
  enabled: t.boolean(),
  detectors: t.field({ type: [DetectorEnum] }),
  patterns: t.field({ type: [PatternInput] }),
  words: t.stringList(),
  moderation: t.field({ type: ModerationInput, description: 'A moderation check instead of (or besides) detectors; BLOCK or LOG, REQUEST stage.' }),
  keyIds: t.idList(),
  virtualModelIds: t.idList(),
});
const GuardrailInput = builder.inputType('GuardrailInput', { fields: (t) => inputFields(t, true) });
const UpdateGuardrailInput = builder.inputType('UpdateGuardrailInput', { fields: (t) => inputFields(t, false) });

type Input = {
  name?: string | null;
  description?: string | null;
  mode?: string | null;
  stage?: string | null;
  enabled?: boolean | null;
  detectors?: readonly string[] | null;
  patterns?: ReadonlyArray<{ label: string; pattern: string; caseSensitive?: boolean | null }> | null;
  words?: readonly string[] | null;
  moderation?: { model: string; format?: string | null; timeoutMs?: number | null; failClosed?: boolean | null; prompt?: string | null } | null;
  keyIds?: ReadonlyArray<string | number> | null;
  virtualModelIds?: ReadonlyArray<string | number> | null;
};
type Existing = { name: string; mode: string; stage: string; config: unknown };

/** The input over what is stored (null/absent keeps a value; `moderation: null` on update removes it), checked. */
function draftOf(input: Input, existing?: Existing): GuardrailDraft {
  const stored = guardrailConfig(existing?.config);
  const m = input.moderation;
  const config: GuardrailConfig = {
    detectors: input.detectors ? [...input.detectors] : stored.detectors,
    patterns: input.patterns ? input.patterns.map((p) => ({ label: p.label, pattern: p.pattern, caseSensitive: p.caseSensitive !== false })) : stored.patterns,
    words: input.words ? [...input.words] : stored.words,
  };
  const moderation =
    m === undefined
      ? stored.moderation
      : m === null
        ? undefined
        : {
            model: m.model,
            format: (m.format ?? 'openai-moderation') as 'openai-moderation' | 'chat-verdict',
            timeoutMs: m.timeoutMs ?? 5_000,
            failClosed: m.failClosed === true,
            ...(m.prompt ? { prompt: m.prompt } : {}),
          };
  if (moderation) config.moderation = moderation;
  try {
    return checkGuardrail({
      name: input.name ?? existing?.name ?? '',
      mode: (input.mode ?? existing?.mode) as GuardrailMode,
      stage: (input.stage ?? existing?.stage ?? 'request') as GuardrailStage,
      config,
    });
  } catch (error) {
    if (error instanceof GuardrailConfigError) throw badInput(`input.${error.message}`, `input.${error.field}`);
    throw error;
  }
}

/** The config as Prisma stores JSON (plain data; `moderation` absent rather than undefined). */
const storedConfig = (config: GuardrailConfig): Prisma.InputJsonObject => JSON.parse(JSON.stringify(config)) as Prisma.InputJsonObject;

const idList = (v: Input['keyIds']) => (v ? [...new Set(v.map(String))] : undefined);

builder.queryField('guardrails', (t) =>
  t.prismaField({ type: ['Guardrail'], resolve: (query, _root, _args, ctx) => ctx.services.db.guardrail.findMany({ ...query, orderBy: { name: 'asc' } }) }),
);

builder.mutationField('createGuardrail', (t) =>
  t.prismaField({
    type: 'Guardrail',
    args: { input: t.arg({ type: GuardrailInput, required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const input = args.input as Input;
      const draft = draftOf(input);
      const { db } = ctx.services;
      if (await db.guardrail.findUnique({ where: { name: draft.name } })) throw badInput(`input.name: a guardrail named "${draft.name}" exists`, 'input.name');
      const created = await db.guardrail.create({
        ...query,
        data: {
          name: draft.name,
          description: input.description ?? null,
          mode: draft.mode,
          stage: draft.stage,
          config: storedConfig(draft.config),
          enabled: input.enabled !== false,
          keyIds: idList(input.keyIds) ?? [],
          virtualModelIds: idList(input.virtualModelIds) ?? [],
        },
      });
      await configChanged(ctx.services);
      return created;
    },
  }),
);

builder.mutationField('updateGuardrail', (t) =>
  t.prismaField({
    type: 'Guardrail',
    description: 'Changes a guardrail; fields left out keep their value (`moderation: null` removes the moderation check).',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateGuardrailInput, required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { db } = ctx.services;
      const { id } = args;
      const input = args.input as Input;
      const existing = await db.guardrail.findUnique({ where: { id: String(id) } });
      if (!existing) throw notFound('Guardrail');
      const draft = draftOf(input, existing);
      if (draft.name !== existing.name && (await db.guardrail.findUnique({ where: { name: draft.name } }))) {
        throw badInput(`input.name: a guardrail named "${draft.name}" exists`, 'input.name');
      }
      const keyIds = idList(input.keyIds);
      const virtualModelIds = idList(input.virtualModelIds);
      const updated = await db.guardrail.update({
        ...query,
        where: { id: existing.id },
        data: {
          name: draft.name,
          mode: draft.mode,
          stage: draft.stage,
          config: storedConfig(draft.config),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(typeof input.enabled === 'boolean' ? { enabled: input.enabled } : {}),
          ...(keyIds ? { keyIds } : {}),
          ...(virtualModelIds ? { virtualModelIds } : {}),
        },
      });
      await configChanged(ctx.services);
      return updated;
    },
  }),
);

builder.mutationField('deleteGuardrail', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const { count } = await ctx.services.db.guardrail.deleteMany({ where: { id: String(id) } });
      if (count === 0) throw notFound('Guardrail');
      await configChanged(ctx.services);
      return true;
    },
  }),
);

const PreviewType = builder.simpleObject('GuardrailPreview', {
  fields: (t) => ({
    text: t.string({ description: 'What the upstream would get (mask, redact), or the sample unchanged (block, log).' }),
    restored: t.string({ description: 'An answer repeating `text`, as the client would get it back (mask).' }),
    found: t.string({ description: 'Values found, by kind (`2 EMAIL, 1 PHONE`).' }),
    count: t.int(),
    blockedMessage: t.string({ nullable: true, description: 'The refusal the client would get (block).' }),
  }),
});

builder.queryField('previewGuardrail', (t) =>
  t.field({
    type: PreviewType,
    description: "What a draft guardrail's detectors, patterns and words do to a sample text (a moderation check is not called).",
    args: { input: t.arg({ type: GuardrailInput, required: true }), sample: t.arg.string({ required: true }) },
    resolve: (_root, { input, sample }) => {
      if (sample.length > 100_000) throw badInput('sample: at most 100000 characters', 'sample');
      const { moderation: _ignored, ...rest } = input as Input;
      const preview = previewGuardrail(draftOf(rest), sample);
      return { ...preview, blockedMessage: preview.blockedMessage ?? null };
    },
  }),
);
