import type { HealthState, RunStatus } from '../core/health-run.js';

/** Shared types of health monitoring: targets and aggregates (runs and their outcome live in core/health-run.ts). */

export type TargetKind = 'model' | 'virtual_model';

/** Parsed `checkConfig` with defaults applied (see check-config.ts). */
export interface CheckConfig {
  timeoutMs: number;
  /** Extra attempts after a failure, within one run. */
  retries: number;
  maxTokens: number;
  /** The answer must contain this text (case-insensitive) to count as a success. */
  expect?: string;
}

/** What the scheduler needs to know about a target. */
export interface TargetSpec {
  id: string;
  name: string;
  kind: TargetKind;
  modelName: string;
  enabled: boolean;
  intervalSeconds: number;
  checkPrompt: string;
  checkConfig: CheckConfig;
}

/** Aggregates of one target at one instant. */
export interface TargetHealth {
  state: HealthState;
  /** Share of successful runs (0..1), null without runs in the window. */
  availability1h: number | null;
  availability24h: number | null;
  /** Nearest-rank percentiles of successful runs' latency over 24 h. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  ttftP50Ms: number | null;
  runs1h: number;
  runs24h: number;
  /** Failures over 24 h by error type. */
  errorDistribution: Record<string, number>;
  lastRunAt: Date | null;
  lastStatus: RunStatus | null;
}
