import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.js';

/**
 * Team scoping of the admin API. Admins and viewers without a team see every row;
 * a team member (a team admin, or a viewer with a team) sees only its team's keys,
 * logs and usage, and a team admin changes only its team's keys.
 */

/** Field options that open a query or subscription to team members too (their rows are filtered by `teamScope`). */
export const TEAM_READ = { authScopes: { reader: true, teamMember: true }, skipTypeScopes: true } as const;

/** Field options that open a mutation to team admins (the resolver checks the row is the team's, `assertTeamRow`). */
export const TEAM_WRITE = { authScopes: { admin: true, teamAdmin: true }, skipTypeScopes: true } as const;

/** The team a caller is confined to; null for admins and viewers without a team. */
export function teamScope(ctx: Pick<GraphQLContext, 'user'>): string | null {
  const user = ctx.user;
  if (!user || user.role === 'admin') return null;
  return user.teamId ?? null;
}

export function outsideTeam(): GraphQLError {
  return new GraphQLError('Forbidden: this operation is outside your team', { extensions: { code: 'FORBIDDEN' } });
}

/** Refuses a row of another team (or of no team) for a team-confined caller; rows that do not exist read the same, so ids reveal nothing. */
export function assertTeamRow(ctx: Pick<GraphQLContext, 'user'>, row: { teamId: string | null } | null): void {
  const team = teamScope(ctx);
  if (team !== null && row?.teamId !== team) throw outsideTeam();
}
