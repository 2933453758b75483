import { z } from 'zod';
import { DEPENDENCIES } from './dependencies.js';
import { RULE_KINDS, type RuleKind } from './types.js';

/**
 * Each rule kind's parameters, validated when a rule is saved and read again
 * when it is evaluated (a row edited by hand cannot break the service).
 */
const scope = z.enum(['model', 'provider']).default('model');
const names = z.array(z.string().min(1)).max(200).optional();

export const RULE_PARAMS = {
  /** A target's circuit opened or health checks call it down; and back. `targets`: names to watch (all when absent). */
  target_down: z.object({ targets: names }).strict(),
  /** Share of answers with a 5xx status over the window, per model or provider. */
  error_rate: z
    .object({
      scope,
      threshold: z.number().gt(0).max(1),
      windowSeconds: z.number().int().min(10).max(86_400).default(300),
      minRequests: z.number().int().min(1).default(10),
      targets: names,
    })
    .strict(),
  /** 95th percentile latency (ms) over the window, per model or provider. */
  latency_p95: z
    .object({
      scope,
      thresholdMs: z.number().int().positive(),
      windowSeconds: z.number().int().min(10).max(86_400).default(300),
      minRequests: z.number().int().min(1).default(10),
      targets: names,
    })
    .strict(),
  /**
   * Spend of a key's or a team's budget period reaching these percentages (each once per period).
   * `keys` / `teams`: names to watch (all with a budget when absent).
   */
  budget: z.object({ thresholds: z.array(z.number().int().min(1).max(1000)).min(1).max(10).default([50, 80, 100]), keys: names, teams: names }).strict(),
  /** A key expiring within this many days (once per key and expiry date). */
  key_expiry: z.object({ days: z.number().int().min(1).max(365).default(7), keys: names }).strict(),
  /** The database or Redis not answering (two probes in a row), and answering again. `dependencies`: which to watch (both when absent). */
  dependency_lost: z.object({ dependencies: z.array(z.enum(DEPENDENCIES)).min(1).max(DEPENDENCIES.length).optional() }).strict(),
} satisfies Record<RuleKind, z.ZodTypeAny>;

export type RuleParams = { [K in RuleKind]: z.infer<(typeof RULE_PARAMS)[K]> };

/** A stored rule, typed by kind. */
export type AlertRuleSpec = {
  [K in RuleKind]: { id: string; name: string; kind: K; params: RuleParams[K]; channelIds: string[]; cooldownMs: number };
}[RuleKind];

export function parseRuleParams(kind: RuleKind, params: unknown): { ok: true; params: unknown } | { ok: false; error: string } {
  const parsed = RULE_PARAMS[kind].safeParse(params ?? {});
  if (parsed.success) return { ok: true, params: parsed.data };
  return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ') };
}

const RULE_KINDS_SET = new Set<string>(RULE_KINDS);
export const isRuleKind = (v: string): v is RuleKind => RULE_KINDS_SET.has(v);

/** Whether a name is watched by a rule's optional list. */
export const watched = (list: string[] | undefined, name: string | undefined) => !list?.length || (name !== undefined && list.includes(name));
