/**
 * Mock Google Gemini API (generativelanguage) on 127.0.0.1 (random port); `url` has no path.
 *
 * Routes: POST /v1beta/models/{model}:generateContent, :streamGenerateContent
 * (`?alt=sse` → SSE, otherwise a JSON array), :batchEmbedContents, :countTokens;
 * GET /v1beta/models (pageSize / pageToken → nextPageToken) and /v1beta/models/{model}.
 * The key comes as `x-goog-api-key` or `?key=`; a wrong one gets 401 UNAUTHENTICATED
 * (the shared mock contract; the real API answers 400 API_KEY_INVALID). Validation:
 * contents non-empty, roles user/model only, parts non-empty, functionResponse needs
 * a name → 400 INVALID_ARGUMENT.
 *
 * Default answers (see types.ts); the greeting is `Hello from gemini: <text>`. Function
 * calls carry no `id` (like most Gemini models). Embeddings are deterministic 8-value
 * vectors (or `outputDimensionality`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { DEFAULT_API_KEY } from './types.js';
import type { MockOptions, MockScenario, MockUpstream } from './types.js';
import { mockState, serveMock } from './serve.js';

type Json = Record<string, any>;
interface Plan {
  parts: Json[];
  chunks: number;
  delayMs: number;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const GEMINI_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'text-embedding-004'].map((name) => ({
  name: `models/${name}`,
  version: '001',
  displayName: name,
  description: `Mock ${name}`,
  inputTokenLimit: 1048576,
  outputTokenLimit: name.startsWith('text-') ? 1 : 65536,
  supportedGenerationMethods: name.startsWith('text-') ? ['embedContent', 'batchEmbedContents'] : ['generateContent', 'countTokens'],
}));

export function googleErrorBody(status: number, message: string): Json {
  return { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } };
}

class MockError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function splitText(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

function validate(body: Json): void {
  if (!Array.isArray(body.contents) || body.contents.length === 0) throw new MockError(400, '* GenerateContentRequest.contents: contents is not specified');
  body.contents.forEach((c: Json, i: number) => {
    if (c?.role !== undefined && c.role !== 'user' && c.role !== 'model') {
      throw new MockError(400, `Please use a valid role: user, model. (contents[${i}].role: ${String(c.role)})`);
    }
    if (!Array.isArray(c?.parts) || c.parts.length === 0)
      throw new MockError(400, `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`);
    c.parts.forEach((p: Json, j: number) => {
      if (p?.functionResponse && !p.functionResponse.name) {
        throw new MockError(400, `* GenerateContentRequest.contents[${i}].parts[${j}].function_response.name: Name cannot be empty.`);
      }
    });
  });
}

function defaultPlan(body: Json): Plan {
  const base = { chunks: 4, delayMs: 0 };
  const last = body.contents[body.contents.length - 1];
  const parts: Json[] = last.parts;
  const result = parts.find((p) => p.functionResponse);
  if (result) {
    const r = result.functionResponse.response;
    const text = typeof r?.result === 'string' ? r.result : typeof r?.content === 'string' ? r.content : JSON.stringify(r);
    return { ...base, parts: [{ text: `Tool said: ${text}` }] };
  }
  const text = parts
    .filter((p) => typeof p.text === 'string')
    .map((p) => p.text)
    .join('');
  const declarations = body.tools?.[0]?.functionDeclarations;
  if (declarations?.length && /weather/i.test(text)) return { ...base, parts: [{ functionCall: { name: declarations[0].name, args: { city: 'Paris' } } }] };
  const image = parts.find((p) => p.inlineData || p.fileData);
  if (image) return { ...base, parts: [{ text: `I see an image (${image.inlineData?.mimeType ?? image.fileData?.fileUri})` }] };
  return { ...base, parts: [{ text: `Hello from gemini: ${text}` }] };
}

function scenarioPlan(s: MockScenario): Plan | undefined {
  const base = { chunks: 4, delayMs: 0 };
  switch (s.type) {
    case 'text':
      return { parts: [{ text: s.text }], chunks: s.chunks ?? 4, delayMs: s.chunkDelayMs ?? 0 };
    case 'tool_call':
      return { ...base, parts: [{ functionCall: { ...(s.id ? { id: s.id } : {}), name: s.name, args: s.arguments } }] };
    case 'reasoning_then_text':
      return { ...base, parts: [{ text: s.reasoning, thought: true }, { text: s.text }] };
    case 'drop_mid_stream':
      return { ...base, parts: [{ text: s.text }] };
    case 'error':
    case 'hang':
      // Answered before any plan: the handler writes the error or never answers.
      return undefined;
  }
}

export async function startGeminiMock(options: MockOptions = {}): Promise<MockUpstream> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const state = mockState();
  const { queue, usage, drop } = state;

  function usageMetadata(final: boolean, thoughts: number): Json {
    const candidates = final ? usage.output - thoughts : 0;
    return {
      promptTokenCount: usage.input,
      ...(final ? { candidatesTokenCount: candidates } : {}),
      ...(thoughts && final ? { thoughtsTokenCount: thoughts } : {}),
      ...(usage.cached ? { cachedContentTokenCount: usage.cached } : {}),
      totalTokenCount: usage.input + (final ? usage.output : 0),
    };
  }

  function chunk(model: string, responseId: string, parts: Json[], finish: string | undefined, meta: Json): Json {
    return {
      candidates: [{ content: { parts, role: 'model' }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
      usageMetadata: meta,
      modelVersion: model,
      responseId,
    };
  }

  async function generate(model: string, body: Json, plan: Plan, res: ServerResponse, mode: 'json' | 'sse' | 'array', dropping: boolean) {
    const responseId = randomBytes(9).toString('base64url');
    const thoughts = plan.parts.some((p) => p.thought) ? Math.min(3, usage.output) : 0;
    if (mode === 'json') {
      const full = JSON.stringify(chunk(model, responseId, plan.parts, 'STOP', usageMetadata(true, thoughts)));
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      if (dropping) {
        res.write(full.slice(0, full.length >> 1));
        return drop(res);
      }
      return void res.end(full);
    }
    // Split the answer into pieces: text parts in `chunks` slices, other parts whole.
    const pieces: Json[][] = [];
    for (const part of plan.parts) {
      if (typeof part.text === 'string') for (const text of splitText(part.text, plan.chunks)) pieces.push([{ ...part, text }]);
      else pieces.push([part]);
    }
    const frames = pieces.map((parts, i) => {
      const last = i === pieces.length - 1;
      return chunk(model, responseId, parts, last ? 'STOP' : undefined, usageMetadata(last, thoughts));
    });
    res.writeHead(200, { 'content-type': mode === 'sse' ? 'text/event-stream' : 'application/json; charset=UTF-8' });
    if (mode === 'array') res.write('[');
    for (const [i, frame] of frames.entries()) {
      if (res.destroyed) return;
      if (dropping && i >= Math.ceil(frames.length / 2)) return drop(res);
      res.write(mode === 'sse' ? `data: ${JSON.stringify(frame)}\r\n\r\n` : (i ? ',\r\n' : '') + JSON.stringify(frame));
      if (plan.delayMs) await sleep(plan.delayMs);
    }
    if (dropping) return drop(res);
    if (!res.destroyed) res.end(mode === 'array' ? ']' : undefined);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: any): Promise<void> {
    const url = new URL(req.url ?? '', 'http://x');
    const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    if (key !== apiKey) throw new MockError(401, 'Request had invalid authentication credentials. Expected a valid API key.');
    if (req.method === 'GET' && url.pathname === '/v1beta/models') {
      const size = Number(url.searchParams.get('pageSize') ?? 50);
      const from = Number(url.searchParams.get('pageToken') ?? 0);
      const models = GEMINI_MODELS.slice(from, from + size);
      return send(res, 200, { models, ...(from + size < GEMINI_MODELS.length ? { nextPageToken: String(from + size) } : {}) });
    }
    const match = /^\/v1beta\/models\/([^/:]+)(?::(\w+))?$/.exec(url.pathname);
    if (req.method === 'GET' && match && !match[2]) {
      const model = GEMINI_MODELS.find((m) => m.name === `models/${match[1]}`);
      if (!model) throw new MockError(404, `models/${match[1]} is not found for API version v1beta.`);
      return send(res, 200, model);
    }
    if (req.method !== 'POST' || !match || !match[2]) throw new MockError(404, `Not found: ${req.method} ${url.pathname}`);
    const [, model, method] = match;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new MockError(400, 'Invalid JSON payload received.');
    const scenario = queue.shift();
    if (scenario?.type === 'error') {
      return send(res, scenario.status, scenario.body ?? googleErrorBody(scenario.status, `Mock error ${scenario.status}`), scenario.headers);
    }
    if (scenario?.type === 'hang') return;
    switch (method) {
      case 'batchEmbedContents': {
        if (!Array.isArray(body.requests) || body.requests.length === 0)
          throw new MockError(400, '* BatchEmbedContentsRequest.requests: requests is not specified');
        const embeddings = body.requests.map((r: Json, i: number) => {
          const text = (r?.content?.parts ?? []).map((p: Json) => p.text ?? '').join('');
          const size = r?.outputDimensionality ?? 8;
          return { values: Array.from({ length: size }, (_, j) => Number(Math.sin(text.length + i + j).toFixed(6))) };
        });
        return send(res, 200, { embeddings });
      }
      case 'countTokens':
        return send(res, 200, { totalTokens: usage.input });
      case 'generateContent':
      case 'streamGenerateContent': {
        validate(body);
        const plan = (scenario && scenarioPlan(scenario)) ?? defaultPlan(body);
        const mode = method === 'generateContent' ? 'json' : url.searchParams.get('alt') === 'sse' ? 'sse' : 'array';
        return generate(model, body, plan, res, mode, scenario?.type === 'drop_mid_stream');
      }
      default:
        throw new MockError(404, `Method ${method} not found`);
    }
  }

  return serveMock(options, state, handle, (res, err) => {
    const status = err instanceof MockError ? err.status : 500;
    send(res, status, googleErrorBody(status, err instanceof Error ? err.message : String(err)));
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
