import { tr } from '$lib/i18n';
import type { TeamsQuery } from '$lib/graphql/generated/graphql';

export type TeamRow = TeamsQuery['teams'][number];
export type UserOption = TeamsQuery['users'][number];

export const TEAM_BUDGET_PERIODS = [
  { value: 'daily', label: tr('teamsPage.perDay') },
  { value: 'weekly', label: tr('teamsPage.perWeek') },
  { value: 'monthly', label: tr('teamsPage.perMonth') },
  { value: 'total', label: tr('teamsPage.inTotal') },
] as const;

export type MemberRole = 'team_admin' | 'viewer';

/** The member changes that turn the team's current members into the chosen ones (admins stay out of teams). */
export function memberChanges(
  current: readonly { id: string; role: string }[],
  chosen: ReadonlyMap<string, MemberRole>,
): { userId: string; role: MemberRole | null }[] {
  const out: { userId: string; role: MemberRole | null }[] = [];
  for (const m of current) if (!chosen.has(m.id)) out.push({ userId: m.id, role: null });
  for (const [userId, role] of chosen) {
    if (current.find((m) => m.id === userId)?.role !== role) out.push({ userId, role });
  }
  return out;
}

/** Chosen members by user id, from the emails picked in the form; someone picked as both is a team admin. */
export function chosenMembers(users: readonly UserOption[], teamAdmins: readonly string[], viewers: readonly string[]): Map<string, MemberRole> {
  const byEmail = new Map(users.map((u) => [u.email, u.id]));
  const chosen = new Map<string, MemberRole>();
  for (const [emails, role] of [
    [viewers, 'viewer'],
    [teamAdmins, 'team_admin'],
  ] as const) {
    for (const email of emails) {
      const userId = byEmail.get(email);
      if (userId) chosen.set(userId, role);
    }
  }
  return chosen;
}
