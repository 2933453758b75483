import { applyConfig, ConfigFileError, exportConfig, planConfig, type Plan } from '../../config-as-code/index.js';
import { instanceDeps } from '../../config-as-code/instance.js';
import { formatPlan } from '../../config-as-code/plan.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { badInput } from '../errors.js';

const FieldChangeType = builder.simpleObject('ConfigFieldChange', {
  fields: (t) => ({
    field: t.string(),
    from: t.field({ type: 'JSON', nullable: true, description: 'Secret fields show ${env:NAME} references, never values.' }),
    to: t.field({ type: 'JSON', nullable: true }),
  }),
});
const ChangeType = builder.simpleObject('ConfigChange', {
  fields: (t) => ({
    kind: t.string({ description: 'provider | model | virtualModel | virtualKey | healthTarget | settings' }),
    name: t.string(),
    action: t.string({ description: 'create | update | delete' }),
    fields: t.field({ type: [FieldChangeType] }),
  }),
});
const ObjectRefType = builder.simpleObject('ConfigObjectRef', { fields: (t) => ({ kind: t.string(), name: t.string() }) });
const PlanType = builder.simpleObject('ConfigPlan', {
  fields: (t) => ({
    changes: t.field({ type: [ChangeType] }),
    unmanaged: t.field({ type: [ObjectRefType], description: 'Objects the file lacks: kept, or deleted with prune.' }),
    text: t.string({ description: 'The plan as the CLI prints it.' }),
  }),
});
const CreatedKeyType = builder.simpleObject('ConfigCreatedKey', {
  fields: (t) => ({ name: t.string(), key: t.string({ description: 'The plaintext key, returned once.' }) }),
});
const ApplyResultType = builder.simpleObject('ConfigApplyResult', {
  fields: (t) => ({
    plan: t.field({ type: PlanType }),
    applied: t.boolean({ description: 'False for a dry run.' }),
    createdKeys: t.field({ type: [CreatedKeyType] }),
  }),
});
const ExportType = builder.simpleObject('ConfigExport', {
  fields: (t) => ({
    yaml: t.string(),
    variables: t.stringList({ description: 'Environment variables the file refers to.' }),
    suggestedVariables: t.stringList({ description: 'Variable names chosen by the export for secrets set in the admin UI.' }),
  }),
});

const planView = (plan: Plan, prune: boolean) => ({
  changes: plan.changes.map((c) => ({ ...c, fields: c.fields.map((f) => ({ field: f.field, from: f.from ?? null, to: f.to ?? null })) })),
  unmanaged: plan.unmanaged,
  text: formatPlan(plan, prune),
});

/** A bad file is the caller's mistake: BAD_USER_INPUT listing every problem. */
async function asUserError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConfigFileError) throw badInput(`Configuration file: ${error.problems.join('; ')}`, 'yaml');
    throw error;
  }
}

builder.queryField('exportConfig', (t) =>
  t.field({
    type: ExportType,
    authScopes: { admin: true },
    description: 'The configuration as a YAML file; secrets as ${env:NAME} references.',
    resolve: (_root, _args, ctx) => exportConfig(instanceDeps(ctx.services)),
  }),
);

builder.queryField('planConfig', (t) =>
  t.field({
    type: PlanType,
    authScopes: { admin: true },
    description: 'What applyConfig would create, change and delete.',
    args: { yaml: t.arg.string({ required: true }), prune: t.arg.boolean() },
    resolve: (_root, args, ctx) =>
      asUserError(async () => planView(await planConfig(instanceDeps(ctx.services), args.yaml, { prune: args.prune ?? false }), args.prune ?? false)),
  }),
);

builder.mutationField('applyConfig', (t) =>
  t.field({
    type: ApplyResultType,
    description: 'Makes the configuration match the file in one transaction (idempotent).',
    args: { yaml: t.arg.string({ required: true }), prune: t.arg.boolean(), dryRun: t.arg.boolean() },
    resolve: (_root, args, ctx) =>
      asUserError(async () => {
        const prune = args.prune ?? false;
        const result = await applyConfig(instanceDeps(ctx.services, process.env, actorOf(ctx)), args.yaml, { prune, dryRun: args.dryRun ?? false });
        return { ...result, plan: planView(result.plan, prune) };
      }),
  }),
);

// Objects declared in a configuration file carry `managedBy: "config"` (the admin UI shows a badge).
for (const type of ['Provider', 'Model', 'VirtualModel', 'VirtualKey'] as const) {
  builder.prismaObjectField(type, 'managedBy', (t) =>
    t.exposeString('managedBy', { nullable: true, description: '"config" when declared in a configuration file (changes there win on the next apply).' }),
  );
}
