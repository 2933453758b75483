import type { Admin } from '../support/admin.js';

/** GraphQL helpers the team suites share (through the real admin API). */

export async function createTeam(admin: { admin: Admin }, input: Record<string, unknown>): Promise<string> {
  const r = await admin.admin<{ createTeam: { id: string } }>('mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }', { i: input });
  return r.createTeam.id;
}

export async function setTeamMember(admin: { admin: Admin }, userId: string, teamId: string | null, role: 'admin' | 'team_admin' | 'viewer'): Promise<void> {
  await admin.admin('mutation($u: ID!, $t: ID, $r: Role!) { setTeamMember(userId: $u, teamId: $t, role: $r) { id } }', { u: userId, t: teamId, r: role });
}

export function jsonRequest(url: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
