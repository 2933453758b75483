import type { TestGateway } from '../support/gateway.js';

export const SET_MONITORING = 'mutation($on: Boolean!) { updateSettings(input: { monitoringEnabled: $on }) { monitoringEnabled } }';
export const CREATE_TARGET = 'mutation($i: CreateHealthTargetInput!) { createHealthTarget(input: $i) { id name state } }';
export const RUN_NOW = 'mutation($id: ID!) { runHealthCheck(id: $id) { id status latencyMs ttftMs errorType errorMessage } }';
export const TARGET = `query($id: ID!) { healthTarget(id: $id) { id state availability1h availability24h latencyP50Ms latencyP95Ms runs24h errorDistribution { errorType count } } }`;

/** TARGET's answer. */
export interface TargetView {
  healthTarget: {
    id: string;
    state: string;
    availability1h: number | null;
    availability24h: number | null;
    latencyP50Ms: number | null;
    latencyP95Ms: number | null;
    runs24h: number;
    errorDistribution: Array<{ errorType: string; count: number }>;
  };
}

export async function setMonitoring(gw: TestGateway, on: boolean): Promise<void> {
  await gw.admin(SET_MONITORING, { on });
}

export async function createTarget(gw: TestGateway, input: Record<string, unknown>): Promise<string> {
  return (await gw.admin<{ createHealthTarget: { id: string } }>(CREATE_TARGET, { i: input })).createHealthTarget.id;
}

export async function runNow(gw: TestGateway, id: string) {
  return (await gw.admin<{ runHealthCheck: any }>(RUN_NOW, { id })).runHealthCheck;
}

export async function publicGet(gw: TestGateway, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, { headers });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Polls an async condition (for work the scheduler does on its own timers). */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
