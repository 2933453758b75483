/** One health check's outcome: shared by the monitor that runs it and the `healthUpdates` event that announces it. */

export type RunStatus = 'success' | 'failure';

/** Why a check failed. `http_4xx` / `http_5xx` are the gateway's own answer status class. */
export const ERROR_TYPES = ['timeout', 'http_4xx', 'http_5xx', 'connection', 'invalid_response', 'expectation_failed'] as const;
export type HealthErrorType = (typeof ERROR_TYPES)[number];

/** healthy / degraded / down by the rule in health/aggregates.ts; unknown = no runs yet. */
export type HealthState = 'healthy' | 'degraded' | 'down' | 'unknown';

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
