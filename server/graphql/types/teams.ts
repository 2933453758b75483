import { createTeamSchema, setTeamMemberSchema, updateTeamSchema } from '../../config-service/teams.js';
import { modelLimitsList } from '../../config-service/scoped-limits.js';
import type { KeyLimitState } from '../../limits/types.js';
import { actorOf } from '../actor.js';
import { builder, type InputFieldBuilder } from '../builder.js';
import { TEAM_READ, teamScope } from '../team-scope.js';
import { validate, withoutUndefined } from '../validate.js';
import { RoleEnum } from './auth.js';

export const TeamBudgetPeriodEnum = builder.enumType('TeamBudgetPeriod', { values: ['daily', 'weekly', 'monthly', 'total'] as const });
type Period = 'daily' | 'weekly' | 'monthly' | 'total';

interface ModelLimit {
  model: string;
  rpm: number | null;
  tpm: number | null;
}
export const ModelLimitRef = builder.objectRef<ModelLimit>('ModelLimit').implement({
  description: 'RPM / TPM on one public model name, counted apart from other models.',
  fields: (t) => ({
    model: t.exposeString('model'),
    rpm: t.exposeInt('rpm', { nullable: true }),
    tpm: t.exposeInt('tpm', { nullable: true }),
  }),
});

interface EndUserLimit {
  rpm: number | null;
  budgetUsd: number | null;
  budgetPeriod: Period | null;
}
export const EndUserLimitsRef = builder.objectRef<EndUserLimit>('EndUserLimits').implement({
  description: 'Limits of each end user (OpenAI `user`, Anthropic `metadata.user_id`, `x-gateway-end-user`), counted per end user.',
  fields: (t) => ({
    rpm: t.exposeInt('rpm', { nullable: true }),
    budgetUsd: t.exposeFloat('budgetUsd', { nullable: true }),
    budgetPeriod: t.field({ type: TeamBudgetPeriodEnum, nullable: true, resolve: (l) => l.budgetPeriod }),
  }),
});

export function endUserLimitsOf(json: unknown): EndUserLimit | null {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return null;
  const l = json as { rpm?: number; budgetUsd?: number; budgetPeriod?: Period };
  return { rpm: l.rpm ?? null, budgetUsd: l.budgetUsd ?? null, budgetPeriod: l.budgetPeriod ?? null };
}
export { modelLimitsList };

export const ModelLimitInput = builder.inputType('ModelLimitInput', {
  fields: (t) => ({ model: t.string({ required: true }), rpm: t.int(), tpm: t.int() }),
});
export const EndUserLimitsInput = builder.inputType('EndUserLimitsInput', {
  fields: (t) => ({ rpm: t.int(), budgetUsd: t.float(), budgetPeriod: t.field({ type: TeamBudgetPeriodEnum }) }),
});

const TeamLimitState = builder.objectRef<KeyLimitState>('TeamLimitState').implement({
  description: 'Live counters of a team (from the limit store): its minute window and its spend.',
  fields: (t) => ({
    rpmUsed: t.exposeInt('rpmUsed'),
    tpmUsed: t.exposeInt('tpmUsed'),
    periodSpendUsd: t.exposeFloat('periodSpendUsd', { description: 'Spend in the budget period (the total without one).' }),
    totalSpendUsd: t.exposeFloat('totalSpendUsd'),
  }),
});

builder.prismaObject('Team', {
  description: "A team owns virtual keys; its limits apply to all of its keys together, on top of each key's own.",
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    budgetUsd: t.exposeFloat('budgetUsd', { nullable: true }),
    budgetPeriod: t.field({ type: TeamBudgetPeriodEnum, nullable: true, resolve: (team) => team.budgetPeriod as Period | null }),
    rpmLimit: t.exposeInt('rpmLimit', { nullable: true }),
    tpmLimit: t.exposeInt('tpmLimit', { nullable: true }),
    allowedModels: t.stringList({
      nullable: true,
      description: 'null = every model',
      resolve: (team) => (Array.isArray(team.allowedModels) ? (team.allowedModels as string[]) : null),
    }),
    modelLimits: t.field({ type: [ModelLimitRef], resolve: (team) => modelLimitsList(team.modelLimits) }),
    endUserLimits: t.field({ type: EndUserLimitsRef, nullable: true, resolve: (team) => endUserLimitsOf(team.endUserLimits) }),
    spendUsd: t.exposeFloat('spendUsd', { description: 'Total spend as saved in the database (written every few seconds).' }),
    limitState: t.field({ type: TeamLimitState, resolve: (team, _args, ctx) => ctx.services.limits.teamState(team) }),
    keys: t.relation('keys', { query: { where: { revokedAt: null }, orderBy: { createdAt: 'desc' } } }),
    members: t.relation('members', { query: { orderBy: { email: 'asc' } } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField('User', 'team', (t) => t.relation('team', { nullable: true }));

const teamFields = (t: InputFieldBuilder, required: boolean) => ({
  name: t.string({ required }),
  budgetUsd: t.float(),
  budgetPeriod: t.field({ type: TeamBudgetPeriodEnum }),
  rpmLimit: t.int(),
  tpmLimit: t.int(),
  allowedModels: t.stringList(),
  modelLimits: t.field({ type: [ModelLimitInput] }),
  endUserLimits: t.field({ type: EndUserLimitsInput }),
});
const CreateTeamInput = builder.inputType('CreateTeamInput', { fields: (t) => teamFields(t, true) });
const UpdateTeamInput = builder.inputType('UpdateTeamInput', { fields: (t) => teamFields(t, false) });

builder.queryField('teams', (t) =>
  t.prismaField({
    type: ['Team'],
    ...TEAM_READ,
    description: 'Teams by name (a team member sees only their own).',
    resolve: (query, _root, _args, ctx) => {
      const team = teamScope(ctx);
      return ctx.services.db.team.findMany({ ...query, where: team === null ? {} : { id: team }, orderBy: { name: 'asc' } });
    },
  }),
);

builder.queryField('team', (t) =>
  t.prismaField({
    type: 'Team',
    nullable: true,
    ...TEAM_READ,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => {
      const team = teamScope(ctx);
      // Another team reads as absent.
      if (team !== null && team !== String(id)) return null;
      return ctx.services.db.team.findUnique({ ...query, where: { id: String(id) } });
    },
  }),
);

builder.mutationField('createTeam', (t) =>
  t.prismaField({
    type: 'Team',
    args: { input: t.arg({ type: CreateTeamInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const created = await ctx.services.configService.teams.create(actorOf(ctx), validate(createTeamSchema, withoutUndefined(input)));
      return ctx.services.db.team.findUniqueOrThrow({ ...query, where: { id: created.id } });
    },
  }),
);

builder.mutationField('updateTeam', (t) =>
  t.prismaField({
    type: 'Team',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateTeamInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      await ctx.services.configService.teams.update(actorOf(ctx), String(id), validate(updateTeamSchema, withoutUndefined(input)));
      return ctx.services.db.team.findUniqueOrThrow({ ...query, where: { id: String(id) } });
    },
  }),
);

builder.mutationField('deleteTeam', (t) =>
  t.boolean({
    description: 'Deletes the team: its keys stay, without a team; its team admins become viewers.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.configService.teams.delete(actorOf(ctx), String(id));
      return true;
    },
  }),
);

builder.mutationField('setTeamMember', (t) =>
  t.prismaField({
    type: 'User',
    description: 'Puts a user in a team as team_admin or viewer, or (teamId null) out of any team; role admin leaves every team.',
    args: { userId: t.arg.id({ required: true }), teamId: t.arg.id(), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: async (query, _root, { userId, teamId, role }, ctx) => {
      await ctx.services.configService.teams.setMember(
        actorOf(ctx),
        String(userId),
        validate(setTeamMemberSchema, { teamId: teamId ? String(teamId) : null, role }),
      );
      return ctx.services.db.user.findUniqueOrThrow({ ...query, where: { id: String(userId) } });
    },
  }),
);
