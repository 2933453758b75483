/**
 * Shared contract of the mock upstreams in this folder. Each mock is a real HTTP
 * server on 127.0.0.1 that speaks one provider wire format exactly, rejects
 * malformed requests the way that provider does, and records what it received.
 */

/** What the next request should get. Without a queued scenario a mock answers by default rules (see README-like comment in each mock). */
export type MockScenario =
  | { type: 'text'; text: string; chunks?: number; chunkDelayMs?: number }
  | { type: 'tool_call'; name: string; arguments: Record<string, unknown>; id?: string }
  | { type: 'reasoning_then_text'; reasoning: string; text: string }
  /** Reply with this HTTP status and body (the format's own error body when omitted). */
  | { type: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the connection, never answer (for timeouts). */
  | { type: 'hang' }
  /** Stream `text` partly, then destroy the socket mid-stream. */
  | { type: 'drop_mid_stream'; text: string };

export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface MockUpstream {
  /** Base URL to configure as the provider's base URL (see each mock for what it includes). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Number of requests whose connection the client closed before the mock finished answering. */
  readonly aborted: number;
  /** Queue a scenario for the next request(s), first in first out. */
  enqueue(...scenarios: MockScenario[]): void;
  /** Usage numbers the mock reports (defaults: input 12, output 8, cached 0). */
  setUsage(usage: { input: number; output: number; cached?: number }): void;
  close(): Promise<void>;
}

export interface MockOptions {
  /** The API key the mock accepts; any other gets the provider's 401. Default 'upstream-secret-key'. */
  apiKey?: string;
  port?: number;
}

/**
 * Default answers when nothing is queued (same for every mock, so tests can run
 * one scenario against all formats):
 * - the last message is a tool result → text `Tool said: <result text>`
 * - tools are offered and the last user text contains "weather" → a call of the first tool
 *   with arguments {"city":"Paris"}
 * - the last user message has an image → text `I see an image (<media type or url>)`
 * - otherwise → text `Hello from <format>: <last user text>`
 * Streams split the text into about 4 chunks.
 */
export const DEFAULT_API_KEY = 'upstream-secret-key';

/** The AWS credentials the Bedrock mocks check SigV4 signatures against. */
export const BEDROCK_CREDENTIALS = { accessKeyId: 'AKIAMOCKBEDROCK12345', secretAccessKey: 'mock/Secret+Access/Key0123456789abcdefghij', region: 'us-west-2' };
