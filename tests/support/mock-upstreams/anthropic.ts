/**
 * Mock Anthropic Messages API on 127.0.0.1 (random port). `url` has no `/v1`.
 *
 * Routes: POST /v1/messages (JSON or SSE), POST /v1/messages/count_tokens,
 * GET /v1/models. Requires the key as `x-api-key` or `Authorization: Bearer` (the
 * installed SDK sends the latter; wrong → 401 authentication_error) and
 * `anthropic-version` (missing → 400). Validates like the real API: model and a
 * positive max_tokens, messages start with user and alternate, no `system` role,
 * non-empty text blocks, every tool_result answers a tool_use of the previous
 * assistant turn and every tool_use is answered in the next user turn.
 *
 * Default answers (see types.ts); the greeting is `Hello from anthropic: <text>`.
 * Usage: input_tokens = input − cached, cache_read_input_tokens = cached.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { DEFAULT_API_KEY } from './types.js';
import type { MockOptions, MockScenario, MockUpstream } from './types.js';
import { mockState, serveMock } from './serve.js';

type Json = Record<string, any>;
type Block =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };
interface Plan {
  blocks: Block[];
  stopReason: string;
  chunks: number;
  delayMs: number;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
  503: 'overloaded_error',
};

export const ANTHROPIC_MODELS = [
  { id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
  { id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
];

export function anthropicErrorBody(status: number, message: string): Json {
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } };
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
const id = (prefix: string) => prefix + randomBytes(12).toString('hex');
const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function splitText(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

function blocksOf(message: Json): Json[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

function textOf(blocks: unknown): string {
  if (typeof blocks === 'string') return blocks;
  if (!Array.isArray(blocks)) return '';
  return blocks
    .filter((b) => b?.type === 'text')
    .map((b) => b.text)
    .join('');
}

/** Throws MockError(400) the way the real API rejects a malformed Messages body. */
function validate(body: Json, countOnly: boolean): void {
  if (typeof body.model !== 'string' || !body.model) throw new MockError(400, 'model: Field required');
  if (!countOnly && (!Number.isInteger(body.max_tokens) || body.max_tokens < 1)) throw new MockError(400, 'max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new MockError(400, 'messages: at least one message is required');
  body.messages.forEach((m: Json, i: number) => {
    if (m?.role === 'system')
      throw new MockError(
        400,
        `messages.${i}.role: Unexpected role "system". The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`,
      );
    if (m?.role !== 'user' && m?.role !== 'assistant') throw new MockError(400, `messages.${i}.role: Input should be 'user' or 'assistant'`);
    if (i === 0 && m.role !== 'user') throw new MockError(400, 'messages: first message must use the "user" role');
    if (i > 0 && body.messages[i - 1].role === m.role)
      throw new MockError(400, `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`);
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) throw new MockError(400, `messages.${i}.content: Input should be a valid list`);
    blocksOf(m).forEach((b, j) => {
      if (b?.type === 'text' && (typeof b.text !== 'string' || b.text === '') && !(i === body.messages.length - 1 && m.role === 'assistant')) {
        throw new MockError(400, `messages.${i}.content.${j}.text: text content blocks must be non-empty`);
      }
      if (b?.type === 'tool_result') {
        const prev = body.messages[i - 1];
        const ids = prev
          ? blocksOf(prev)
              .filter((p) => p.type === 'tool_use')
              .map((p) => p.id)
          : [];
        if (m.role !== 'user' || !ids.includes(b.tool_use_id)) {
          throw new MockError(
            400,
            `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          );
        }
      }
    });
    const next = body.messages[i + 1];
    if (m.role === 'assistant' && next) {
      const answered = new Set(
        blocksOf(next)
          .filter((b) => b.type === 'tool_result')
          .map((b) => b.tool_use_id),
      );
      const missing = blocksOf(m)
        .filter((b) => b.type === 'tool_use' && !answered.has(b.id))
        .map((b) => b.id);
      if (missing.length)
        throw new MockError(400, `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}`);
    }
  });
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system))
    throw new MockError(400, 'system: Input should be a valid string or list');
  for (const [i, tool] of (body.tools ?? []).entries()) {
    if (typeof tool?.name !== 'string' || (!tool.type && typeof tool.input_schema !== 'object'))
      throw new MockError(400, `tools.${i}: name and input_schema are required`);
  }
  if (body.thinking?.type === 'enabled' && !(body.thinking.budget_tokens >= 1024 && body.thinking.budget_tokens < body.max_tokens)) {
    throw new MockError(400, 'thinking.budget_tokens: must be ≥ 1024 and less than max_tokens');
  }
}

/** The default rules of types.ts, applied to an Anthropic body. */
function defaultPlan(body: Json): Plan {
  const last = body.messages[body.messages.length - 1];
  const blocks = blocksOf(last);
  const result = blocks.find((b) => b.type === 'tool_result');
  const base = { stopReason: 'end_turn', chunks: 4, delayMs: 0 };
  if (result) return { ...base, blocks: [{ type: 'text', text: `Tool said: ${textOf(result.content)}` }] };
  const text = textOf(blocks);
  if (body.tools?.length && /weather/i.test(text)) {
    return { ...base, stopReason: 'tool_use', blocks: [{ type: 'tool_use', id: id('toolu_'), name: body.tools[0].name, input: { city: 'Paris' } }] };
  }
  const image = blocks.find((b) => b.type === 'image');
  if (image) return { ...base, blocks: [{ type: 'text', text: `I see an image (${image.source?.media_type ?? image.source?.url})` }] };
  return { ...base, blocks: [{ type: 'text', text: `Hello from anthropic: ${text}` }] };
}

function scenarioPlan(s: MockScenario): Plan | undefined {
  const base = { stopReason: 'end_turn', chunks: 4, delayMs: 0 };
  switch (s.type) {
    case 'text':
      return { ...base, blocks: [{ type: 'text', text: s.text }], chunks: s.chunks ?? 4, delayMs: s.chunkDelayMs ?? 0 };
    case 'tool_call':
      return { ...base, stopReason: 'tool_use', blocks: [{ type: 'tool_use', id: s.id ?? id('toolu_'), name: s.name, input: s.arguments }] };
    case 'reasoning_then_text':
      return {
        ...base,
        blocks: [
          { type: 'thinking', thinking: s.reasoning, signature: 'sig_' + randomBytes(16).toString('base64') },
          { type: 'text', text: s.text },
        ],
      };
    case 'drop_mid_stream':
      return { ...base, blocks: [{ type: 'text', text: s.text }] };
    case 'error':
    case 'hang':
      // Answered before any plan: the handler writes the error or never answers.
      return undefined;
  }
}

export async function startAnthropicMock(options: MockOptions = {}): Promise<MockUpstream> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const state = mockState();
  const { queue, usage, drop } = state;

  function usageJson(outputTokens: number): Json {
    return { input_tokens: usage.input - usage.cached, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: usage.cached };
  }

  async function answer(body: Json, plan: Plan, res: ServerResponse, dropping: boolean, stream: boolean): Promise<void> {
    const message = { id: id('msg_'), type: 'message', role: 'assistant', model: body.model };
    if (!stream) {
      const full = JSON.stringify({ ...message, content: plan.blocks, stop_reason: plan.stopReason, stop_sequence: null, usage: usageJson(usage.output) });
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': id('req_') });
      if (dropping) {
        res.write(full.slice(0, full.length >> 1));
        return drop(res);
      }
      return void res.end(full);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': id('req_') });
    const write = async (text: string) => {
      if (res.destroyed) return;
      res.write(text);
      if (plan.delayMs) await sleep(plan.delayMs);
    };
    await write(
      sse('message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: usageJson(1) } }),
    );
    await write(sse('ping', { type: 'ping' }));
    for (const [index, block] of plan.blocks.entries()) {
      const start =
        block.type === 'text'
          ? { type: 'text', text: '' }
          : block.type === 'thinking'
            ? { type: 'thinking', thinking: '', signature: '' }
            : { ...block, input: {} };
      await write(sse('content_block_start', { type: 'content_block_start', index, content_block: start }));
      const delta = (d: Json) => write(sse('content_block_delta', { type: 'content_block_delta', index, delta: d }));
      if (block.type === 'text') {
        const pieces = splitText(block.text, plan.chunks);
        for (const [i, text] of pieces.entries()) {
          if (dropping && i >= Math.ceil(pieces.length / 2)) return drop(res);
          await delta({ type: 'text_delta', text });
        }
        if (dropping) return drop(res);
      } else if (block.type === 'thinking') {
        for (const thinking of splitText(block.thinking, 2)) await delta({ type: 'thinking_delta', thinking });
        await delta({ type: 'signature_delta', signature: block.signature });
      } else {
        for (const partial_json of splitText(JSON.stringify(block.input), 2)) await delta({ type: 'input_json_delta', partial_json });
      }
      await write(sse('content_block_stop', { type: 'content_block_stop', index }));
    }
    await write(
      sse('message_delta', { type: 'message_delta', delta: { stop_reason: plan.stopReason, stop_sequence: null }, usage: { output_tokens: usage.output } }),
    );
    await write(sse('message_stop', { type: 'message_stop' }));
    if (!res.destroyed) res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Json): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if ((req.headers['x-api-key'] ?? bearer) !== apiKey) throw new MockError(401, 'invalid x-api-key');
    if (!req.headers['anthropic-version']) throw new MockError(400, 'anthropic-version: header is required');
    if (req.method === 'GET' && path === '/v1/models') {
      const url = new URL(req.url ?? '', 'http://x');
      const after = url.searchParams.get('after_id');
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const from = after ? ANTHROPIC_MODELS.findIndex((m) => m.id === after) + 1 : 0;
      const data = ANTHROPIC_MODELS.slice(from, from + limit).map((m) => ({ type: 'model', ...m }));
      return send(res, 200, { data, has_more: from + limit < ANTHROPIC_MODELS.length, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens'))
      throw new MockError(404, `Not found: ${req.method} ${path}`);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new MockError(400, 'The request body is not valid JSON.');
    const scenario = queue.shift();
    if (scenario?.type === 'error') {
      return send(res, scenario.status, scenario.body ?? anthropicErrorBody(scenario.status, `Mock error ${scenario.status}`), scenario.headers);
    }
    if (scenario?.type === 'hang') return; // never answer
    const countOnly = path.endsWith('/count_tokens');
    validate(body, countOnly);
    if (countOnly) return send(res, 200, { input_tokens: usage.input });
    const plan = (scenario && scenarioPlan(scenario)) ?? defaultPlan(body);
    await answer(body, plan, res, scenario?.type === 'drop_mid_stream', body.stream === true);
  }

  return serveMock(options, state, handle, (res, err) => {
    if (err instanceof MockError) return send(res, err.status, anthropicErrorBody(err.status, err.message));
    send(res, 500, anthropicErrorBody(500, String(err)));
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req_'), ...headers });
  res.end(text);
}
