import { nullAsAbsent } from '../core/fields.js';

/**
 * Teams and the scoped limits of keys and teams as the request path reads them,
 * parsed once per snapshot from the stored JSON (prisma/schema.prisma: Team,
 * VirtualKey.modelLimits / endUserLimits). Unknown or broken values read as no limit.
 */

/** RPM / TPM on one public model name (a model or a virtual model). */
export interface ScopedLimits {
  rpm?: number;
  tpm?: number;
}

/** Limits of each end user of a key or team, counted per end user. */
export interface EndUserLimits {
  rpm?: number;
  budgetUsd?: number;
  /** daily | weekly | monthly | total */
  budgetPeriod?: string;
}

export interface TeamEntry {
  id: string;
  name: string;
  rpmLimit?: number;
  tpmLimit?: number;
  budgetUsd?: number;
  budgetPeriod?: string;
  /** null = every model. */
  allowedModels: Set<string> | null;
  modelLimits: ReadonlyMap<string, ScopedLimits>;
  endUserLimits?: EndUserLimits;
}

const NO_MODEL_LIMITS: ReadonlyMap<string, ScopedLimits> = new Map();

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** `{ "<model>": { rpm?, tpm? } }` → a map holding only models with a limit. */
export function parseModelLimits(json: unknown): ReadonlyMap<string, ScopedLimits> {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return NO_MODEL_LIMITS;
  const out = new Map<string, ScopedLimits>();
  for (const [model, value] of Object.entries(json as Record<string, unknown>)) {
    if (!value || typeof value !== 'object') continue;
    const { rpm, tpm } = value as Record<string, unknown>;
    const limits: ScopedLimits = { rpm: positiveInt(rpm), tpm: positiveInt(tpm) };
    if (limits.rpm || limits.tpm) out.set(model, limits);
  }
  return out.size ? out : NO_MODEL_LIMITS;
}

/** `{ rpm?, budgetUsd?, budgetPeriod? }`, or undefined when it limits nothing. */
export function parseEndUserLimits(json: unknown): EndUserLimits | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const { rpm, budgetUsd, budgetPeriod } = json as Record<string, unknown>;
  const limits: EndUserLimits = {
    rpm: positiveInt(rpm),
    budgetUsd: typeof budgetUsd === 'number' && Number.isFinite(budgetUsd) && budgetUsd >= 0 ? budgetUsd : undefined,
    budgetPeriod: typeof budgetPeriod === 'string' ? budgetPeriod : undefined,
  };
  return limits.rpm || limits.budgetUsd !== undefined ? limits : undefined;
}

export interface TeamRow {
  id: string;
  name: string;
  rpmLimit: number | null;
  tpmLimit: number | null;
  budgetUsd: number | null;
  budgetPeriod: string | null;
  allowedModels: unknown;
  modelLimits: unknown;
  endUserLimits: unknown;
}

export function teamEntry(row: TeamRow): TeamEntry {
  return {
    id: row.id,
    name: row.name,
    ...nullAsAbsent(row, ['rpmLimit', 'tpmLimit', 'budgetUsd', 'budgetPeriod']),
    allowedModels: Array.isArray(row.allowedModels) ? new Set(row.allowedModels.filter((m): m is string => typeof m === 'string')) : null,
    modelLimits: parseModelLimits(row.modelLimits),
    endUserLimits: parseEndUserLimits(row.endUserLimits),
  };
}
