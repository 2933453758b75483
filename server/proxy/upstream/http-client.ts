import { Agent, request, type Dispatcher } from 'undici';

/**
 * Keep-alive connection pools for upstream calls. undici's Agent keeps one pool
 * per origin; agents are shared by every provider with the same connect
 * timeout, so a request never creates a client of its own.
 */
export interface UpstreamTimeouts {
  /** TCP + TLS connect. */
  connectMs: number;
  /** Until response headers arrive (time to first byte). */
  firstByteMs: number;
  /** Longest silence between body chunks (streams). */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { connectMs: 10_000, firstByteMs: 300_000, idleMs: 300_000 };

const agents = new Map<number, Agent>();

function agentFor(connectMs: number): Agent {
  let agent = agents.get(connectMs);
  if (!agent) {
    agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      // No cap per origin: long streams must not queue behind each other.
      connections: null,
      pipelining: 1,
      connect: { timeout: connectMs },
    });
    agents.set(connectMs, agent);
  }
  return agent;
}

export interface UpstreamCall {
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer;
  timeouts: UpstreamTimeouts;
  signal?: AbortSignal;
}

export function sendUpstream(call: UpstreamCall): Promise<Dispatcher.ResponseData> {
  return request(call.url, {
    method: call.method ?? 'POST',
    headers: call.headers,
    body: call.body,
    signal: call.signal,
    dispatcher: agentFor(call.timeouts.connectMs),
    headersTimeout: call.timeouts.firstByteMs,
    bodyTimeout: call.timeouts.idleMs,
  });
}

export async function closeUpstreamPools(): Promise<void> {
  await Promise.all([...agents.values()].map((a) => a.close()));
  agents.clear();
}
