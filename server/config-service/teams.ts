import { z } from 'zod';
import { dbNull, type Db } from '../db/client.js';
import type { Prisma } from '../db/generated/sqlite/index.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, ConfigNotFoundError, refuseDuplicate } from './errors.js';
import { endUserLimitsSchema, modelLimitsSchema, storedEndUserLimits, storedModelLimits } from './scoped-limits.js';

const limit = z.number().int().positive('must be a positive integer').nullable().optional();
const fields = {
  name: z.string().trim().min(1, 'is required').max(100),
  budgetUsd: z.number().positive('must be positive').nullable().optional(),
  budgetPeriod: z.enum(['daily', 'weekly', 'monthly', 'total']).nullable().optional(),
  rpmLimit: limit,
  tpmLimit: limit,
  /** Public names of models and virtual models; null = every model. */
  allowedModels: z.array(z.string().min(1)).max(1000).nullable().optional(),
  modelLimits: modelLimitsSchema,
  endUserLimits: endUserLimitsSchema,
};
export const createTeamSchema = z.object(fields);
export const updateTeamSchema = z.object(fields).partial();
export type CreateTeam = z.infer<typeof createTeamSchema>;
export type UpdateTeam = z.infer<typeof updateTeamSchema>;

/** Roles a team member can hold: a team admin manages the team's keys, a viewer reads the team's usage. */
export const TEAM_ROLES = ['team_admin', 'viewer'] as const;
export const setTeamMemberSchema = z.object({ teamId: z.string().min(1).nullable(), role: z.enum(['admin', ...TEAM_ROLES]) });
export type SetTeamMember = z.infer<typeof setTeamMemberSchema>;

function teamData(db: Db, data: UpdateTeam): Prisma.TeamUncheckedUpdateInput {
  const { allowedModels, modelLimits, endUserLimits, ...rest } = data;
  const models = storedModelLimits(modelLimits);
  const endUsers = storedEndUserLimits(endUserLimits);
  return {
    ...rest,
    ...(allowedModels !== undefined ? { allowedModels: allowedModels ?? dbNull(db) } : {}),
    ...(models !== undefined ? { modelLimits: models ?? dbNull(db) } : {}),
    ...(endUsers !== undefined ? { endUserLimits: endUsers ?? dbNull(db) } : {}),
  };
}

function uniqueName(error: unknown): never {
  refuseDuplicate(error, 'a team with this name exists', 'name');
}

/** Teams: their limits (applied to all of their keys together by server/limits) and their members. */
export function teamsConfig(deps: EntityDeps) {
  const { db } = deps;
  return {
    async create(actor: ConfigActor, data: CreateTeam) {
      const created = await db.team.create({ data: teamData(db, data) as Prisma.TeamUncheckedCreateInput }).catch(uniqueName);
      await deps.changed([{ actor, entity: 'team', action: 'create', id: created.id, name: created.name, after: created }]);
      return created;
    },

    async update(actor: ConfigActor, id: string, data: UpdateTeam) {
      const before = await db.team.findUnique({ where: { id } });
      if (!before) throw new ConfigNotFoundError('Team');
      const updated = await db.team.update({ where: { id }, data: teamData(db, data) }).catch(uniqueName);
      await deps.changed([{ actor, entity: 'team', action: 'update', id, name: updated.name, before, after: updated }]);
      return updated;
    },

    /** The team's keys stay, without a team; its members lose their team (a team admin then cannot sign in until given one). */
    async delete(actor: ConfigActor, id: string): Promise<void> {
      const before = await db.team.findUnique({ where: { id } });
      if (!before) throw new ConfigNotFoundError('Team');
      await db.$transaction([db.user.updateMany({ where: { teamId: id, role: 'team_admin' }, data: { role: 'viewer' } }), db.team.delete({ where: { id } })]);
      await deps.changed([{ actor, entity: 'team', action: 'delete', id, name: before.name, before }]);
    },

    /** Puts a user in a team with a role (team_admin or viewer), or out of any team (teamId null). */
    async setMember(actor: ConfigActor, userId: string, { teamId, role }: SetTeamMember) {
      const before = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, role: true, teamId: true } });
      if (!before) throw new ConfigNotFoundError('User');
      if (actor.type === 'user' && actor.userId === userId && role !== 'admin')
        throw new ConfigInputError('you cannot take the admin role from yourself', 'role');
      if (teamId && !(await db.team.findUnique({ where: { id: teamId }, select: { id: true } }))) throw new ConfigInputError('no such team', 'teamId');
      if (role === 'team_admin' && !teamId) throw new ConfigInputError('a team admin needs a team', 'teamId');
      const after = await db.user.update({
        where: { id: userId },
        data: { teamId: role === 'admin' ? null : teamId, role },
        select: { id: true, email: true, role: true, teamId: true },
      });
      await deps.changed([{ actor, entity: 'team', action: 'update', id: teamId ?? before.teamId, name: `member ${before.email}`, before, after }]);
      return after;
    },
  };
}
