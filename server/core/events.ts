import type { HealthState, RunRecord } from './health-run.js';

/** Payloads of the instance's event bus (server/events): publishers and subscribers on every layer share them. */

export interface ConfigChangedEvent {
  version: number;
  at: Date;
}

export interface TargetStateChangedEvent {
  modelId: string;
  state: 'closed' | 'open' | 'half_open';
  cooldownUntil: Date | null;
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
