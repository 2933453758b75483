import { z } from 'zod';
import type { Prisma } from '../db/generated/sqlite/index.js';

/** Shared by keys and teams: RPM / TPM on one model, limits of each end user (read by snapshot/team-entry.ts). */
const positive = z.number().int().positive('must be a positive integer');

export const modelLimitsSchema = z
  .array(z.object({ model: z.string().trim().min(1, 'is required').max(200), rpm: positive.nullable().optional(), tpm: positive.nullable().optional() }))
  .max(500)
  .refine((list) => new Set(list.map((l) => l.model)).size === list.length, { message: 'each model at most once' })
  .nullable()
  .optional();

export const endUserLimitsSchema = z
  .object({
    rpm: positive.nullable().optional(),
    budgetUsd: z.number().positive('must be positive').nullable().optional(),
    budgetPeriod: z.enum(['daily', 'weekly', 'monthly', 'total']).nullable().optional(),
  })
  .nullable()
  .optional();

export type ModelLimitsInput = z.infer<typeof modelLimitsSchema>;
export type EndUserLimitsInput = z.infer<typeof endUserLimitsSchema>;

/** The stored form `{ "<model>": { rpm?, tpm? } }`; null clears. */
export function storedModelLimits(list: ModelLimitsInput): Prisma.InputJsonObject | null | undefined {
  if (list === undefined) return undefined;
  if (list === null || list.length === 0) return null;
  return Object.fromEntries(list.map((l) => [l.model, { ...(l.rpm ? { rpm: l.rpm } : {}), ...(l.tpm ? { tpm: l.tpm } : {}) }]));
}

export function storedEndUserLimits(limits: EndUserLimitsInput): Prisma.InputJsonObject | null | undefined {
  if (limits === undefined) return undefined;
  if (limits === null || (!limits.rpm && !limits.budgetUsd)) return null;
  return {
    ...(limits.rpm ? { rpm: limits.rpm } : {}),
    ...(limits.budgetUsd ? { budgetUsd: limits.budgetUsd, budgetPeriod: limits.budgetPeriod ?? 'total' } : {}),
  };
}

/** The stored form read back as the list the admin API shows. */
export function modelLimitsList(json: unknown): Array<{ model: string; rpm: number | null; tpm: number | null }> {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return [];
  return Object.entries(json as Record<string, { rpm?: number; tpm?: number }>).map(([model, l]) => ({ model, rpm: l?.rpm ?? null, tpm: l?.tpm ?? null }));
}
