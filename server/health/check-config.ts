import { z } from 'zod';
import type { CheckConfig } from './types.js';

export const DEFAULT_CHECK_PROMPT = "Say 'OK'";
export const DEFAULT_INTERVAL_SECONDS = 300;
export const MIN_INTERVAL_SECONDS = 5;
export const MAX_INTERVAL_SECONDS = 86_400;

/** `checkConfig` JSON as admins write it; every field optional. */
export const checkConfigSchema = z
  .object({
    timeoutMs: z.number().int().min(1000, 'must be at least 1000').max(300_000, 'must be at most 300000').optional(),
    retries: z.number().int().min(0).max(3, 'must be at most 3').optional(),
    maxTokens: z.number().int().min(1).max(4096).optional(),
    expect: z.string().max(200).optional(),
  })
  .strict();

export const CHECK_DEFAULTS: CheckConfig = { timeoutMs: 30_000, retries: 0, maxTokens: 16 };

/** Stored JSON → config with defaults; unreadable stored values fall back to the defaults. */
export function parseCheckConfig(stored: unknown): CheckConfig {
  const parsed = checkConfigSchema.safeParse(stored ?? {});
  const value = parsed.success ? parsed.data : {};
  return { ...CHECK_DEFAULTS, ...value, expect: value.expect || undefined };
}
