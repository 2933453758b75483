import { Agent, request, type Dispatcher } from 'undici';
import type { AbortLike } from '../../http/light-abort.js';

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

/** A request as it will go out: what a signature or a token is computed over. */
export interface OutgoingRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/**
 * A provider's last step before sending (providers/auth): sign the final URL,
 * headers and body (AWS SigV4), or add a token minted and cached for it
 * (Google service accounts, Entra ID). May reshape the body first; throws a
 * GatewayError when no credential can be had.
 */
export type PrepareRequest = (request: OutgoingRequest) => Promise<OutgoingRequest>;

export interface UpstreamCall {
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer;
  timeouts: UpstreamTimeouts;
  signal?: AbortLike;
  prepare?: PrepareRequest;
}

export async function sendUpstream(call: UpstreamCall): Promise<Dispatcher.ResponseData> {
  let out: OutgoingRequest = { method: call.method ?? 'POST', url: call.url, headers: call.headers, body: call.body };
  if (call.prepare) out = await call.prepare(out);
  return request(out.url, {
    method: out.method,
    headers: out.headers,
    body: out.body,
    // undici takes anything with addEventListener (its types name AbortSignal and EventEmitter only).
    signal: call.signal as AbortSignal | undefined,
    dispatcher: agentFor(call.timeouts.connectMs),
    headersTimeout: call.timeouts.firstByteMs,
    bodyTimeout: call.timeouts.idleMs,
  });
}

export async function closeUpstreamPools(): Promise<void> {
  await Promise.all([...agents.values()].map((a) => a.close()));
  agents.clear();
}
