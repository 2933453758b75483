import { hash } from 'node:crypto';
import type { KeyEntry } from '../snapshot/types.js';
import type { EndUserLimits, ScopedLimits } from '../snapshot/team-entry.js';
import { budgetPeriodKey, budgetPeriodOf, type BudgetPeriod } from './periods.js';
import type { SubjectPlan } from './store.js';

/** Marks the counter id of an end user: their number is the callers' to choose, so memory bounds them (memory-store.ts). */
const END_USER_MARK = ':user:';
export function isEndUserSubject(id: string): boolean {
  return id.includes(END_USER_MARK);
}

/** What one request is for, beyond its key: the public model asked for and the end user named. */
export interface AdmitScope {
  model?: string;
  endUser?: string;
}

/** Where a subject's spend is saved to the database (end users are counted, not saved). */
export type SpendOwner = 'key' | 'team';

/** One set of counters of an admission, with what a refusal says about it. */
export interface LimitSubject {
  plan: SubjectPlan;
  /** How a refusal names it: `virtual key "a"`, `team "t"`, `model "m" on team "t"`, `end user "u" of virtual key "a"`. */
  who: string;
  budgetUsd?: number;
  period: BudgetPeriod;
  /** The request's cost is added to this subject's spend. */
  spend: boolean;
  persist?: SpendOwner;
  /** The database id of the key or team whose spend this is (with `persist`). */
  ownerId?: string;
}

/** The team's counter id; key subjects keep the key id itself. */
export function teamSubjectId(teamId: string): string {
  return `team:${teamId}`;
}

/** Model names and end users come from callers: hashed, so counter names stay short and free of Redis hash-tag braces. */
function digest(value: string): string {
  return hash('sha256', value, 'hex').slice(0, 24);
}

function budgetOf(limitUsd: number | undefined, period: BudgetPeriod, now: number): SubjectPlan['budget'] {
  return limitUsd === undefined ? undefined : { limitUsd, period: budgetPeriodKey(period, now) };
}

function modelSubject(ownerId: string, who: string, model: string, limits: ScopedLimits): LimitSubject {
  return {
    plan: { id: `${ownerId}:model:${digest(model)}`, rpmLimit: limits.rpm, tpmLimit: limits.tpm },
    who: `model "${model}" on ${who}`,
    period: 'total',
    spend: false,
  };
}

function endUserSubject(ownerId: string, who: string, endUser: string, limits: EndUserLimits, now: number): LimitSubject {
  const period = budgetPeriodOf(limits.budgetPeriod);
  return {
    plan: { id: `${ownerId}${END_USER_MARK}${digest(endUser)}`, rpmLimit: limits.rpm, budget: budgetOf(limits.budgetUsd, period, now) },
    who: `end user "${endUser}" of ${who}`,
    budgetUsd: limits.budgetUsd,
    period,
    spend: limits.budgetUsd !== undefined,
  };
}

/**
 * Every set of counters one request is checked against, key first: the key, its
 * team, the key and the team on the requested model, and the end user of the key
 * and of the team. The key and the team always count spend (a budget set later
 * starts from the truth); scoped subjects appear only when they have a limit.
 */
export function limitSubjects(key: KeyEntry, scope: AdmitScope, now: number): LimitSubject[] {
  const keyWho = `virtual key "${key.name}"`;
  const keyPeriod = budgetPeriodOf(key.budgetPeriod);
  const subjects: LimitSubject[] = [
    {
      plan: {
        id: key.id,
        rpmLimit: key.rpmLimit || undefined,
        tpmLimit: key.tpmLimit || undefined,
        maxConcurrency: key.maxConcurrency || undefined,
        budget: budgetOf(key.budgetUsd, keyPeriod, now),
      },
      who: keyWho,
      budgetUsd: key.budgetUsd,
      period: keyPeriod,
      spend: true,
      persist: 'key',
      ownerId: key.id,
    },
  ];
  const team = key.team;
  const teamId = team ? teamSubjectId(team.id) : undefined;
  const teamWho = team ? `team "${team.name}"` : '';
  if (team && teamId) {
    const period = budgetPeriodOf(team.budgetPeriod);
    subjects.push({
      plan: { id: teamId, rpmLimit: team.rpmLimit || undefined, tpmLimit: team.tpmLimit || undefined, budget: budgetOf(team.budgetUsd, period, now) },
      who: teamWho,
      budgetUsd: team.budgetUsd,
      period,
      spend: true,
      persist: 'team',
      ownerId: team.id,
    });
  }
  if (scope.model) {
    const keyModel = key.modelLimits?.get(scope.model);
    if (keyModel) subjects.push(modelSubject(`key:${key.id}`, keyWho, scope.model, keyModel));
    const teamModel = team?.modelLimits.get(scope.model);
    if (teamModel && teamId) subjects.push(modelSubject(teamId, teamWho, scope.model, teamModel));
  }
  if (scope.endUser) {
    if (key.endUserLimits) subjects.push(endUserSubject(`key:${key.id}`, keyWho, scope.endUser, key.endUserLimits, now));
    if (team?.endUserLimits && teamId) subjects.push(endUserSubject(teamId, teamWho, scope.endUser, team.endUserLimits, now));
  }
  return subjects;
}

export function hasLimits(plan: SubjectPlan): boolean {
  return Boolean(plan.rpmLimit || plan.tpmLimit || plan.maxConcurrency || plan.budget);
}
