/**
 * Helpers for the /v1 proxy suites: configure providers, models and keys over
 * GraphQL on a test gateway, build SDK clients pointed at it, and call it raw.
 */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createModel, createProvider } from './admin.js';
import type { TestGateway } from './gateway.js';
import { startAnthropicMock } from './mock-upstreams/anthropic.js';
import { startGeminiMock } from './mock-upstreams/gemini.js';
import { startAzureMock, startOpenAIChatMock } from './mock-upstreams/openai-chat.js';
import { startOpenAIResponsesMock } from './mock-upstreams/openai-responses.js';
import { freePort, listenLocal, recordingServer } from './mock-upstreams/serve.js';
import { DEFAULT_API_KEY, type MockOptions, type MockUpstream, type RecordedRequest } from './mock-upstreams/types.js';

export const UPSTREAM_KEY = DEFAULT_API_KEY;

/** The upstreams a gateway can reach, by the name the mocks use in their greetings. */
export type UpstreamKind = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini' | 'azure-openai';
export const UPSTREAM_KINDS: UpstreamKind[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'azure-openai'];

interface UpstreamSpec {
  providerType: string;
  upstreamModel: string;
  start(options?: MockOptions): Promise<MockUpstream>;
  options?: Record<string, unknown>;
}

export const UPSTREAMS: Record<UpstreamKind, UpstreamSpec> = {
  'openai-chat': { providerType: 'openai', upstreamModel: 'gpt-4o', start: startOpenAIChatMock },
  'openai-responses': { providerType: 'openai-responses', upstreamModel: 'gpt-4.1-mini', start: startOpenAIResponsesMock },
  anthropic: { providerType: 'anthropic', upstreamModel: 'claude-sonnet-4-5-20250929', start: startAnthropicMock },
  gemini: { providerType: 'gemini', upstreamModel: 'gemini-2.5-flash', start: startGeminiMock },
  'azure-openai': {
    providerType: 'azure-openai',
    upstreamModel: 'prod-gpt4o-deployment',
    start: startAzureMock,
    options: { apiVersion: '2024-10-21' },
  },
};

/** The public model name the suites give the model on an upstream. */
export const modelFor = (kind: UpstreamKind): string => `m-${kind}`;

// The admin fixtures live in admin.ts; the proxy suites import them from here too.
export { createKey, createModel, createProvider, revokeKey, updateKey, updateProvider, type CreatedKey, type ProviderInput } from './admin.js';

/** Starts the mock for an upstream kind and registers provider + model on the gateway. */
export async function addUpstream(
  gw: TestGateway,
  kind: UpstreamKind,
  overrides: { name?: string; model?: string; apiKey?: string; options?: Record<string, unknown>; mock?: MockUpstream } = {},
): Promise<{ mock: MockUpstream; providerId: string; model: string }> {
  const spec = UPSTREAMS[kind];
  const mock = overrides.mock ?? (await spec.start());
  const providerId = await createProvider(gw, {
    name: overrides.name ?? `p-${kind}`,
    type: spec.providerType,
    baseUrl: mock.url,
    apiKey: overrides.apiKey ?? UPSTREAM_KEY,
    ...(spec.options || overrides.options ? { options: { ...spec.options, ...overrides.options } } : {}),
  });
  const model = overrides.model ?? modelFor(kind);
  await createModel(gw, providerId, model, spec.upstreamModel);
  return { mock, providerId, model };
}

export function openaiClient(gw: TestGateway, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 });
}

export function anthropicClient(gw: TestGateway, apiKey: string): Anthropic {
  return new Anthropic({ baseURL: gw.url, apiKey, maxRetries: 0 });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** POSTs a body (object → JSON, string → sent as is) and reads the whole answer. */
export async function postRaw(gw: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** One chat completion of `text` with a virtual key, read whole (the UI suites' traffic). */
export function chatWithKey(gw: TestGateway, key: string, model: string, text = 'hi'): Promise<RawResponse> {
  return postRaw(gw, '/v1/chat/completions', { model, messages: [{ role: 'user', content: text }] }, { authorization: `Bearer ${key}` });
}

/** Parses an SSE body into `{ event, data }` records (data parsed as JSON when it is). */
export function parseSse(text: string): Array<{ event?: string; data: any }> {
  const out: Array<{ event?: string; data: any }> = [];
  for (const frame of text.split(/\r?\n\r?\n/)) {
    if (!frame.trim()) continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of frame.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (!data.length) continue;
    const raw = data.join('\n');
    let parsed: any = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      /* e.g. [DONE] */
    }
    out.push(event ? { event, data: parsed } : { data: parsed });
  }
  return out;
}

export const lastRequest = (mock: MockUpstream): RecordedRequest => {
  const req = mock.requests.at(-1);
  if (!req) throw new Error('the mock received no request');
  return req;
};

/** A hand-written upstream for answers the shared mocks cannot give (e.g. unknown response fields). */
export interface CustomUpstream {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startCustomUpstream(handler: (req: IncomingMessage, body: any, res: ServerResponse) => void, urlPath = ''): Promise<CustomUpstream> {
  const requests: RecordedRequest[] = [];
  const local = await listenLocal(recordingServer(requests, (req, res, body) => handler(req, body, res)));
  return { url: `${local.url}${urlPath}`, requests, close: local.close };
}

/** A port nothing listens on (bound, then released). */
export const closedPort = freePort;

/** A 1×1 transparent PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
export const PNG_DATA_URL = `data:image/png;base64,${PNG_BASE64}`;
export const IMAGE_HTTP_URL = 'https://images.example.com/cat.png';
