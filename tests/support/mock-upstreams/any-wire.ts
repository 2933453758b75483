/**
 * The HTTP side of the one-server-every-format mocks (broken.ts, echo-secret.ts):
 * the format is chosen by path, each request is read and recorded (JSON when it
 * parses), an unknown path or method gets a 404, and the rest goes to the mock's
 * own handler with the format, the path and whether a stream was asked for.
 *
 * - OpenAI chat:   POST /v1/chat/completions              (base url `${url}/v1`)
 * - Responses:     POST /v1/responses                     (base url `${url}/v1`)
 * - Anthropic:     POST /v1/messages[/count_tokens]       (base url `url`)
 * - Gemini:        POST /v1beta/models/<m>:<method>       (base url `url`)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, recordingServer } from './serve.js';
import type { RecordedRequest } from './types.js';

export type AnyWire = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** A provider type for each wire, with an upstream model name that wire's provider knows. */
export const ANY_WIRE_PROVIDERS: Array<{ wire: AnyWire; providerType: string; upstreamModel: string }> = [
  { wire: 'openai-chat', providerType: 'openai', upstreamModel: 'gpt-4o' },
  { wire: 'openai-responses', providerType: 'openai-responses', upstreamModel: 'gpt-4.1-mini' },
  { wire: 'anthropic', providerType: 'anthropic', upstreamModel: 'claude-sonnet-4-5' },
  { wire: 'gemini', providerType: 'gemini', upstreamModel: 'gemini-2.5-flash' },
];

export interface AnyWireRequest {
  wire: AnyWire;
  path: string;
  body: any;
  stream: boolean;
}

export interface AnyWireServer {
  readonly url: string;
  baseUrlFor(wire: AnyWire): string;
  close(): Promise<void>;
}

export const sse = (res: ServerResponse, data: unknown, event?: string) =>
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

function wireOf(path: string, geminiMethods: readonly string[], anthropicCountTokens: boolean): AnyWire | null {
  if (path === '/v1/chat/completions') return 'openai-chat';
  if (path === '/v1/responses') return 'openai-responses';
  if (path === '/v1/messages' || (anthropicCountTokens && path === '/v1/messages/count_tokens')) return 'anthropic';
  const gemini = /^\/v1beta\/models\/[^/:]+:(\w+)$/.exec(path);
  if (gemini && geminiMethods.includes(gemini[1])) return 'gemini';
  return null;
}

export async function startAnyWireServer(
  requests: RecordedRequest[],
  handle: (req: IncomingMessage, res: ServerResponse, request: AnyWireRequest) => void,
  routes: { geminiMethods?: readonly string[]; anthropicCountTokens?: boolean } = {},
): Promise<AnyWireServer> {
  const geminiMethods = routes.geminiMethods ?? ['generateContent', 'streamGenerateContent'];
  const server = recordingServer(requests, (req, res, body) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const wire = wireOf(path, geminiMethods, routes.anthropicCountTokens ?? false);
    if (!wire || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: `Not found: ${req.method} ${path}` } }));
    }
    const stream = wire === 'gemini' ? path.endsWith(':streamGenerateContent') : body?.stream === true;
    handle(req, res, { wire, path, body, stream });
  });
  const local = await listenLocal(server);
  return {
    url: local.url,
    baseUrlFor: (wire) => (wire === 'openai-chat' || wire === 'openai-responses' ? `${local.url}/v1` : local.url),
    close: local.close,
  };
}
