/** Shared types of health monitoring: targets, runs, aggregates. */

export type RunStatus = 'success' | 'failure';

/** Why a check failed. `http_4xx` / `http_5xx` are the gateway's own answer status class. */
export const ERROR_TYPES = ['timeout', 'http_4xx', 'http_5xx', 'connection', 'invalid_response', 'expectation_failed'] as const;
export type HealthErrorType = (typeof ERROR_TYPES)[number];

/** healthy / degraded / down by the rule in aggregates.ts; unknown = no runs yet. */
export type HealthState = 'healthy' | 'degraded' | 'down' | 'unknown';

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

/** The result of one check, before it is stored. */
export interface CheckOutcome {
  status: RunStatus;
  latencyMs: number | null;
  ttftMs: number | null;
  errorType: HealthErrorType | null;
  errorMessage: string | null;
}

/** One stored run, as aggregates and APIs read it. */
export interface RunRecord extends CheckOutcome {
  id: string;
  targetId: string;
  startedAt: Date;
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

/** Pushed on `healthUpdates` after every run. */
export interface HealthUpdateEvent {
  targetId: string;
  targetName: string;
  run: RunRecord;
  state: HealthState;
  previousState: HealthState;
  stateChanged: boolean;
}
