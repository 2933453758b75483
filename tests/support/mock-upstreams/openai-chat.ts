/**
 * Mock OpenAI Chat Completions upstream (plus an Azure OpenAI flavour).
 *
 * - `startOpenAIChatMock()`: `POST /v1/chat/completions`, `GET /v1/models`, `POST /v1/embeddings`;
 *   url = `http://127.0.0.1:PORT/v1`; auth `Authorization: Bearer <key>`.
 * - `startAzureMock()`: `POST /openai/deployments/{deployment}/chat/completions?api-version=…`
 *   (and `/embeddings`), auth `api-key: <key>`; url = `http://127.0.0.1:PORT`.
 *   Missing api-version → 404 "Resource not found", as Azure answers.
 *
 * Default answers follow the rules in types.ts with `<format>` = `openai-chat` (or `azure-openai`).
 * Streams honour `stream_options.include_usage` exactly like OpenAI: the usage chunk (empty
 * `choices`) is sent only when asked, and then every chunk carries `"usage": null`.
 * The core (`startMockCore`, `planAnswer`, `splitText`) is shared with the Responses mock.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mockState, serveMock } from './serve.js';
import { DEFAULT_API_KEY } from './types.js';
import type { MockOptions, MockScenario, MockUpstream } from './types.js';

export interface MockUsage {
  input: number;
  output: number;
  cached: number;
}

/** What a handler gets for one request. */
export interface MockContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: any;
  apiKey: string;
  usage: MockUsage;
  /** The queued scenario for this request, if any (taken from the queue exactly once). */
  takeScenario(): MockScenario | undefined;
  /** Marks the socket as destroyed on purpose, so it is not counted as a client abort. */
  destroyOnPurpose(): void;
}

export type MockHandler = (ctx: MockContext) => Promise<void> | void;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A real HTTP server recording requests and counting client aborts (serve.ts), with the handler's context. */
export async function startMockCore(options: MockOptions | undefined, urlPath: string, handler: MockHandler): Promise<MockUpstream> {
  const apiKey = options?.apiKey ?? DEFAULT_API_KEY;
  const state = mockState();
  const handle = async (req: IncomingMessage, res: ServerResponse, body: any) =>
    handler({
      req,
      res,
      body,
      apiKey,
      usage: { ...state.usage },
      takeScenario: () => state.queue.shift(),
      destroyOnPurpose: () => state.destroy(res),
    });
  const sendError = (res: ServerResponse, error: unknown) => {
    if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'server_error', param: null, code: null } });
    else res.destroy();
  };
  return serveMock(options ?? {}, state, handle, sendError, urlPath);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

/** Writes unless the client went away; returns false once it has. */
export function write(res: ServerResponse, text: string): boolean {
  if (res.destroyed || res.writableEnded) return false;
  res.write(text);
  return true;
}

export function openAIError(status: number, message?: string, param: string | null = null, code: string | null = null) {
  const defaults: Record<number, [string, string, string | null]> = {
    400: ['Invalid request.', 'invalid_request_error', null],
    401: ['Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'],
    403: ['You are not allowed to sample from this model', 'permission_error', null],
    404: ['The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'],
    429: ['Rate limit reached for requests', 'requests', 'rate_limit_exceeded'],
    500: ['The server had an error while processing your request. Sorry about that!', 'server_error', null],
    503: ['The engine is currently overloaded, please try again later.', 'server_error', null],
  };
  const [defMessage, type, defCode] = defaults[status] ?? ['Upstream error.', status >= 500 ? 'server_error' : 'invalid_request_error', null];
  return { error: { message: message ?? defMessage, type, param, code: code ?? defCode } };
}

/** Format-neutral view of a request, for the default-answer rules in types.ts. */
export interface RequestView {
  lastIsToolResult?: string;
  firstToolName?: string;
  lastUserText: string;
  lastUserImage?: string;
}

export type Plan =
  | { kind: 'text'; text: string; chunks: number; delayMs: number }
  | { kind: 'tool_call'; name: string; args: string; id: string }
  | { kind: 'reasoning'; reasoning: string; text: string }
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'drop'; text: string };

let callCounter = 0;
export function mockCallId(): string {
  return `call_mock${(++callCounter).toString().padStart(6, '0')}`;
}

export function planAnswer(scenario: MockScenario | undefined, view: RequestView, format: string): Plan {
  if (scenario) {
    switch (scenario.type) {
      case 'text':
        return { kind: 'text', text: scenario.text, chunks: scenario.chunks ?? 4, delayMs: scenario.chunkDelayMs ?? 0 };
      case 'tool_call':
        return { kind: 'tool_call', name: scenario.name, args: JSON.stringify(scenario.arguments), id: scenario.id ?? mockCallId() };
      case 'reasoning_then_text':
        return { kind: 'reasoning', reasoning: scenario.reasoning, text: scenario.text };
      case 'error':
        return { kind: 'error', status: scenario.status, body: scenario.body, headers: scenario.headers };
      case 'hang':
        return { kind: 'hang' };
      case 'drop_mid_stream':
        return { kind: 'drop', text: scenario.text };
    }
  }
  const text = (t: string): Plan => ({ kind: 'text', text: t, chunks: 4, delayMs: 0 });
  if (view.lastIsToolResult !== undefined) return text(`Tool said: ${view.lastIsToolResult}`);
  if (view.firstToolName && /weather/i.test(view.lastUserText)) {
    return { kind: 'tool_call', name: view.firstToolName, args: JSON.stringify({ city: 'Paris' }), id: mockCallId() };
  }
  if (view.lastUserImage) return text(`I see an image (${view.lastUserImage})`);
  return text(`Hello from ${format}: ${view.lastUserText}`);
}

/** Splits text into about `n` pieces (never empty pieces). */
export function splitText(text: string, n: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, n)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** `data:image/png;base64,…` → `image/png`; an http URL stays as it is. */
export function describeImage(url: string): string {
  const match = /^data:([^;,]+)/.exec(url);
  return match ? match[1] : url;
}

export function bearerKey(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
}

// ---------------------------------------------------------------- validation (as OpenAI answers)

const CHAT_PARAMS = new Set([
  'model',
  'messages',
  'audio',
  'frequency_penalty',
  'function_call',
  'functions',
  'logit_bias',
  'logprobs',
  'max_completion_tokens',
  'max_tokens',
  'metadata',
  'modalities',
  'n',
  'parallel_tool_calls',
  'prediction',
  'presence_penalty',
  'prompt_cache_key',
  'reasoning_effort',
  'response_format',
  'safety_identifier',
  'seed',
  'service_tier',
  'stop',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'user',
  'verbosity',
  'web_search_options',
]);
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

type Invalid = { message: string; param: string | null; code?: string };
const invalid = (message: string, param: string | null, code?: string): Invalid => ({ message, param, code });
const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function validateChatBody(body: unknown, modelRequired = true): Invalid | undefined {
  if (!isObj(body)) return invalid('We could not parse the JSON body of your request.', null);
  for (const key of Object.keys(body)) if (!CHAT_PARAMS.has(key)) return invalid(`Unrecognized request argument supplied: ${key}`, null);
  if (modelRequired && typeof body.model !== 'string') return invalid('you must provide a model parameter', null);
  if (!Array.isArray(body.messages)) return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (body.messages.length === 0)
    return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  const pending = new Set<string>();
  const known = new Set<string>();
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i];
    const p = `messages.[${i}]`;
    if (!isObj(m) || !ROLES.has(m.role))
      return invalid(
        `Invalid value: '${isObj(m) ? m.role : m}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        `${p}.role`,
        'invalid_value',
      );
    if (m.role !== 'tool' && pending.size > 0) {
      return invalid(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`,
        `${p}.role`,
        'invalid_parameter',
      );
    }
    if (m.role === 'tool') {
      if (typeof m.tool_call_id !== 'string')
        return invalid(
          `Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.`,
          `${p}.tool_call_id`,
          'missing_required_parameter',
        );
      if (!known.has(m.tool_call_id))
        return invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `${p}.role`);
      pending.delete(m.tool_call_id);
    }
    if (m.role === 'assistant') {
      if (m.content === undefined && m.tool_calls === undefined)
        return invalid(`Missing parameter 'content': messages with role 'assistant' must have either 'content' or 'tool_calls'.`, `${p}.content`);
      if (m.tool_calls !== undefined) {
        if (!Array.isArray(m.tool_calls)) return invalid(`Invalid type for '${p}.tool_calls': expected an array.`, `${p}.tool_calls`, 'invalid_type');
        for (const [j, call] of m.tool_calls.entries()) {
          if (
            !isObj(call) ||
            typeof call.id !== 'string' ||
            !isObj(call.function) ||
            typeof call.function.name !== 'string' ||
            typeof call.function.arguments !== 'string'
          ) {
            return invalid(`Invalid '${p}.tool_calls[${j}]': expected {id, type:'function', function:{name, arguments}}.`, `${p}.tool_calls[${j}]`);
          }
          known.add(call.id);
          pending.add(call.id);
        }
      }
    } else if (m.content === undefined || m.content === null) {
      return invalid(`Missing required parameter: '${p}.content'.`, `${p}.content`, 'missing_required_parameter');
    }
    if (Array.isArray(m.content)) {
      for (const [j, part] of m.content.entries()) {
        const ok =
          isObj(part) &&
          ((part.type === 'text' && typeof part.text === 'string') ||
            (part.type === 'image_url' && m.role === 'user' && isObj(part.image_url) && typeof part.image_url.url === 'string') ||
            (part.type === 'refusal' && m.role === 'assistant'));
        if (!ok) return invalid(`Invalid content part at '${p}.content[${j}]'.`, `${p}.content[${j}]`, 'invalid_value');
      }
    } else if (m.content !== undefined && m.content !== null && typeof m.content !== 'string') {
      return invalid(`Invalid type for '${p}.content': expected one of a string or array of objects.`, `${p}.content`, 'invalid_type');
    }
  }
  for (const key of ['max_tokens', 'max_completion_tokens']) {
    const v = body[key];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 1))
      return invalid(`Invalid '${key}': integer below minimum value. Expected a value >= 1, but got ${v} instead.`, key, 'integer_below_min_value');
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 2))
    return invalid("Invalid 'temperature': decimal above maximum value. Expected a value <= 2.", 'temperature');
  if (body.top_p !== undefined && (typeof body.top_p !== 'number' || body.top_p < 0 || body.top_p > 1))
    return invalid("Invalid 'top_p': expected a value between 0 and 1.", 'top_p');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return invalid("Invalid type for 'stream': expected a boolean.", 'stream', 'invalid_type');
  if (body.stream_options !== undefined && body.stream !== true)
    return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return invalid("Invalid type for 'tools': expected an array.", 'tools', 'invalid_type');
    for (const [i, tool] of body.tools.entries()) {
      if (!isObj(tool) || tool.type !== 'function' || !isObj(tool.function) || typeof tool.function.name !== 'string') {
        return invalid(`Missing required parameter: 'tools[${i}].function'.`, `tools[${i}].function`, 'missing_required_parameter');
      }
    }
  }
  if (body.stop !== undefined && body.stop !== null && typeof body.stop !== 'string' && !(Array.isArray(body.stop) && body.stop.length <= 4))
    return invalid("Invalid 'stop'.", 'stop');
  return undefined;
}

/** The view of a chat request the default-answer rules need. */
export function chatView(body: Record<string, any>): RequestView {
  const messages: any[] = body.messages;
  const last = messages[messages.length - 1];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const textOf = (content: unknown): string =>
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content
            .filter((p) => p?.type === 'text')
            .map((p) => p.text)
            .join('')
        : '';
  const image = Array.isArray(lastUser?.content) ? lastUser.content.find((p: any) => p?.type === 'image_url') : undefined;
  return {
    lastIsToolResult: last?.role === 'tool' ? textOf(last.content) : undefined,
    firstToolName: Array.isArray(body.tools) && body.tools.length > 0 ? body.tools[0].function.name : undefined,
    lastUserText: textOf(lastUser?.content),
    lastUserImage: image ? describeImage(image.image_url.url) : undefined,
  };
}

// ---------------------------------------------------------------- answers

function chatUsage(u: MockUsage, reasoning = 0) {
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

let completionCounter = 0;

interface ChatAnswerOptions {
  model: string;
  /** Azure opens streams with a prompt-filter chunk that has no id and no choices. */
  azure?: boolean;
}

async function answerChat(ctx: MockContext, plan: Plan, opts: ChatAnswerOptions): Promise<void> {
  const { res, body, usage } = ctx;
  if (plan.kind === 'hang') return;
  if (plan.kind === 'error') return sendJson(res, plan.status, plan.body ?? openAIError(plan.status), plan.headers);
  const id = `chatcmpl-mock${++completionCounter}`;
  const created = Math.floor(Date.now() / 1000);
  const base = { id, created, model: opts.model, system_fingerprint: 'fp_mock' };
  const reasoningTokens = plan.kind === 'reasoning' ? Math.min(usage.output, 4) : 0;

  if (body.stream !== true) {
    if (plan.kind === 'drop') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"id":"${id}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"${plan.text.slice(0, 3)}`);
      return void setTimeout(() => ctx.destroyOnPurpose(), 20);
    }
    const message: Record<string, unknown> = { role: 'assistant', content: null, refusal: null, annotations: [] };
    let finish = 'stop';
    if (plan.kind === 'tool_call') {
      message.tool_calls = [{ id: plan.id, type: 'function', function: { name: plan.name, arguments: plan.args } }];
      finish = 'tool_calls';
    } else {
      message.content = plan.text;
      if (plan.kind === 'reasoning') message.reasoning_content = plan.reasoning;
    }
    return sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage: chatUsage(usage, reasoningTokens),
      service_tier: 'default',
    });
  }

  const includeUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage && { usage: null }) })}\n\n`;
  startSse(res);
  if (opts.azure) {
    write(
      res,
      `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] })}\n\n`,
    );
  }
  write(res, chunk({ role: 'assistant', content: '', refusal: null }));
  const delay = plan.kind === 'text' ? plan.delayMs : 0;
  const pieces = (text: string, n = 4) => splitText(text, n);
  let finish = 'stop';

  if (plan.kind === 'drop') {
    const parts = pieces(plan.text);
    for (const piece of parts.slice(0, Math.max(1, Math.floor(parts.length / 2)))) write(res, chunk({ content: piece }));
    return void setTimeout(() => ctx.destroyOnPurpose(), 20);
  }
  if (plan.kind === 'tool_call') {
    write(res, chunk({ tool_calls: [{ index: 0, id: plan.id, type: 'function', function: { name: plan.name, arguments: '' } }] }));
    for (const piece of pieces(plan.args, 3)) write(res, chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    finish = 'tool_calls';
  } else {
    if (plan.kind === 'reasoning') for (const piece of pieces(plan.reasoning)) write(res, chunk({ reasoning_content: piece }));
    for (const piece of pieces(plan.text, plan.kind === 'text' ? plan.chunks : 4)) {
      if (delay) await sleep(delay);
      if (!write(res, chunk({ content: piece }))) return;
    }
  }
  write(res, chunk({}, finish));
  if (includeUsage)
    write(res, `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage: chatUsage(usage, reasoningTokens) })}\n\n`);
  write(res, 'data: [DONE]\n\n');
  res.end();
}

// ---------------------------------------------------------------- embeddings and models

/** Deterministic unit vector from the text (FNV-1a seeded sine), so equal inputs embed equally. */
export function embed(text: string, dimensions: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  const v = Array.from({ length: dimensions }, (_, i) => Math.sin(h * 0.0001 + i * 1.618));
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

function answerEmbeddings(ctx: MockContext, model: string): void {
  const { body, res, usage } = ctx;
  if (!isObj(body) || body.input === undefined) return sendJson(res, 400, openAIError(400, "Missing required parameter: 'input'.", 'input'));
  const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
  if (inputs.length === 0) return sendJson(res, 400, openAIError(400, "'$.input' is invalid.", 'input'));
  const dimensions = Number.isInteger(body.dimensions) ? body.dimensions : 1536;
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((input, index) => {
    const vector = embed(typeof input === 'string' ? input : JSON.stringify(input), dimensions);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  sendJson(res, 200, { object: 'list', data, model, usage: { prompt_tokens: usage.input, total_tokens: usage.input } });
}

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'o3-mini', 'text-embedding-3-small'];

// ---------------------------------------------------------------- servers

export function startOpenAIChatMock(options?: MockOptions): Promise<MockUpstream> {
  return startMockCore(options, '/v1', async (ctx) => {
    const { req, res, body } = ctx;
    const path = (req.url ?? '').split('?')[0];
    if (bearerKey(req) !== ctx.apiKey) return sendJson(res, 401, openAIError(401));
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'openai' })) });
    }
    if (req.method === 'POST' && path === '/v1/embeddings') return answerEmbeddings(ctx, String(body?.model ?? ''));
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(res, 404, openAIError(404, `Invalid URL (${req.method} ${path})`, null, null));
    }
    const problem = validateChatBody(body);
    if (problem) return sendJson(res, 400, openAIError(400, problem.message, problem.param, problem.code ?? null));
    await answerChat(ctx, planAnswer(ctx.takeScenario(), chatView(body), 'openai-chat'), { model: body.model });
  });
}

const AZURE_ROUTE = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

export function startAzureMock(options?: MockOptions): Promise<MockUpstream> {
  return startMockCore(options, '', async (ctx) => {
    const { req, res, body } = ctx;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = AZURE_ROUTE.exec(url.pathname);
    if (req.method !== 'POST' || !route || !url.searchParams.get('api-version')) {
      return sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
    }
    if (req.headers['api-key'] !== ctx.apiKey) {
      return sendJson(res, 401, {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      });
    }
    const deployment = decodeURIComponent(route[1]);
    if (route[2] === 'embeddings') return answerEmbeddings(ctx, deployment);
    const problem = validateChatBody(body, false);
    if (problem) return sendJson(res, 400, openAIError(400, problem.message, problem.param, problem.code ?? null));
    await answerChat(ctx, planAnswer(ctx.takeScenario(), chatView(body), 'azure-openai'), { model: deployment, azure: true });
  });
}
