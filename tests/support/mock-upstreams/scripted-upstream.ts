/**
 * Recording upstreams of the four wire formats that answer with a scripted model
 * (scripted-model.ts) instead of fixed scenarios, for real agents whose next
 * request depends on the previous answer. Built on the shared serving core
 * (serve.ts: every request recorded with path, headers and body), same URLs and
 * auth as the other mocks:
 *
 * - `openai-chat`: `POST /v1/chat/completions`, url `…/v1`, Bearer key; the body must pass the
 *   chat mock's OpenAI validation (it is what the gateway translated).
 * - `openai-responses`: `POST /v1/responses`, url `…/v1`, Bearer key. Lenient like the real API
 *   for what agents send (any tool or item type); a tool output must answer a call in `input`.
 * - `anthropic`: `POST /v1/messages` (query ignored), url without path, `x-api-key` or Bearer,
 *   `anthropic-version` required; `count_tokens` answered.
 * - `gemini`: `POST /v1beta/models/{m}:generateContent|streamGenerateContent`, `x-goog-api-key`.
 *
 * Streams follow each provider's event grammar (the answer split in a few deltas).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { anthropicErrorBody } from './anthropic.js';
import { googleErrorBody } from './gemini.js';
import { openAIError, splitText, validateChatBody } from './openai-chat.js';
import { mockState, serveMock } from './serve.js';
import { agentScript, conversationView, type Script, type ScriptedTurn, type WireFormat } from './scripted-model.js';
import { DEFAULT_API_KEY, type MockOptions, type MockUpstream } from './types.js';

type Json = Record<string, any>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const rid = (prefix: string): string => `${prefix}${randomBytes(8).toString('hex')}`;
const USAGE = { input: 21, output: 9 };

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

export interface ScriptedUpstreamOptions extends MockOptions {
  script?: Script;
}

export interface ScriptedUpstream extends MockUpstream {
  readonly format: WireFormat;
  /** Requests that asked for a model answer (not count_tokens or model lists). */
  generations(): MockUpstream['requests'];
  /** The status this mock answered a recorded request with (undefined while it is open). */
  statusOf(request: MockUpstream['requests'][number]): number | undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function startSse(res: ServerResponse): (text: string) => void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  return (text) => {
    if (!res.destroyed) res.write(text);
  };
}

const argumentsText = (turn: Extract<ScriptedTurn, { kind: 'tool_call' }>): string => JSON.stringify(turn.arguments);

// ------------------------------------------------------------------ OpenAI chat completions

function chatAnswer(body: Json, turn: ScriptedTurn, res: ServerResponse): void {
  const id = rid('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output };
  const call = turn.kind === 'tool_call' ? { id: turn.id, type: 'function', function: { name: turn.tool.name, arguments: argumentsText(turn) } } : undefined;
  const finish = call ? 'tool_calls' : 'stop';
  if (body.stream !== true) {
    const message = call ? { role: 'assistant', content: null, tool_calls: [call] } : { role: 'assistant', content: turn.kind === 'text' ? turn.text : '' };
    return sendJson(res, 200, { id, object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message, finish_reason: finish }], usage });
  }
  const send = startSse(res);
  const withUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: Json, finishReason: string | null) =>
    send(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...(withUsage ? { usage: null } : {}) })}\n\n`,
    );
  chunk({ role: 'assistant', content: '' }, null);
  if (call) {
    chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, null);
    for (const piece of splitText(call.function.arguments, 3)) chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null);
  } else if (turn.kind === 'text') {
    for (const piece of splitText(turn.text, 3)) chunk({ content: piece }, null);
  }
  chunk({}, finish);
  if (withUsage) send(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage })}\n\n`);
  send('data: [DONE]\n\n');
  res.end();
}

// ------------------------------------------------------------------ OpenAI Responses

const RESPONSES_CALLS: Record<string, string> = {
  function_call: 'function_call_output',
  custom_tool_call: 'custom_tool_call_output',
  local_shell_call: 'local_shell_call_output',
};

function checkResponsesBody(body: Json): void {
  if (typeof body.model !== 'string') throw new Refusal(400, "Missing required parameter: 'model'.", 'model');
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) throw new Refusal(400, "Invalid type for 'input'.", 'input');
  const calls = new Set<string>();
  for (const [i, item] of (Array.isArray(body.input) ? body.input : []).entries()) {
    if (!isObj(item)) throw new Refusal(400, `Invalid 'input[${i}]'.`, `input[${i}]`);
    if (RESPONSES_CALLS[item.type] && typeof item.call_id === 'string') calls.add(item.call_id);
    if (Object.values(RESPONSES_CALLS).includes(item.type) && !calls.has(item.call_id)) {
      throw new Refusal(400, `No tool call found for function call output with call_id ${item.call_id}.`, 'input');
    }
  }
}

function responsesItem(turn: ScriptedTurn): Json {
  if (turn.kind === 'text') {
    return { id: rid('msg_'), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], text: turn.text }] };
  }
  if (turn.tool.type === 'custom') {
    const input = typeof turn.arguments.input === 'string' ? turn.arguments.input : JSON.stringify(turn.arguments);
    return { id: rid('ctc_'), type: 'custom_tool_call', status: 'completed', call_id: turn.id, name: turn.tool.name, input };
  }
  return { id: rid('fc_'), type: 'function_call', status: 'completed', call_id: turn.id, name: turn.tool.name, arguments: argumentsText(turn) };
}

function responsesAnswer(body: Json, turn: ScriptedTurn, res: ServerResponse): void {
  const id = rid('resp_');
  const item = responsesItem(turn);
  const usage = {
    input_tokens: USAGE.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: USAGE.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: USAGE.input + USAGE.output,
  };
  const envelope = (status: string, output: Json[], u: unknown) => ({
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    store: body.store ?? true,
    tools: body.tools ?? [],
    usage: u,
    metadata: body.metadata ?? {},
  });
  if (body.stream !== true) return sendJson(res, 200, envelope('completed', [item], usage));
  const write = startSse(res);
  let seq = 0;
  const send = (type: string, data: Json) => write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  send('response.created', { response: envelope('in_progress', [], null) });
  send('response.in_progress', { response: envelope('in_progress', [], null) });
  const ids = { item_id: item.id, output_index: 0 };
  if (item.type === 'message') {
    const text: string = item.content[0].text;
    send('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    send('response.content_part.added', { ...ids, content_index: 0, part: { type: 'output_text', annotations: [], text: '' } });
    for (const delta of splitText(text, 3)) send('response.output_text.delta', { ...ids, content_index: 0, delta });
    send('response.output_text.done', { ...ids, content_index: 0, text });
    send('response.content_part.done', { ...ids, content_index: 0, part: { type: 'output_text', annotations: [], text } });
  } else if (item.type === 'custom_tool_call') {
    send('response.output_item.added', { output_index: 0, item: { ...item, input: '', status: 'in_progress' } });
    for (const delta of splitText(item.input, 3)) send('response.custom_tool_call_input.delta', { ...ids, delta });
    send('response.custom_tool_call_input.done', { ...ids, input: item.input });
  } else {
    send('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
    for (const delta of splitText(item.arguments, 3)) send('response.function_call_arguments.delta', { ...ids, delta });
    send('response.function_call_arguments.done', { ...ids, name: item.name, arguments: item.arguments });
  }
  send('response.output_item.done', { output_index: 0, item });
  send('response.completed', { response: envelope('completed', [item], usage) });
  res.end();
}

// ------------------------------------------------------------------ Anthropic Messages

function checkAnthropicBody(body: Json): void {
  if (typeof body.model !== 'string') throw new Refusal(400, 'model: Field required');
  if (!Number.isInteger(body.max_tokens)) throw new Refusal(400, 'max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new Refusal(400, 'messages: at least one message is required');
  const pending = new Set<string>();
  body.messages.forEach((m: Json, i: number) => {
    // Mid-conversation system turns are accepted, as the API does for Claude Code's newest request shape.
    if (!['user', 'assistant', 'system'].includes(m?.role)) throw new Refusal(400, `messages.${i}.role: Input should be 'user' or 'assistant'`);
    const blocks: Json[] = Array.isArray(m.content) ? m.content : [];
    if (typeof m.content !== 'string' && blocks.length === 0) throw new Refusal(400, `messages.${i}: all messages must have non-empty content`);
    for (const b of blocks) {
      if (b?.type === 'text' && b.text === '' && m.role === 'user') throw new Refusal(400, `messages.${i}: text content blocks must be non-empty`);
      if (b?.type === 'tool_use') pending.add(b.id);
      if (b?.type === 'tool_result' && !pending.has(b.tool_use_id)) {
        throw new Refusal(
          400,
          `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
    }
  });
}

function anthropicAnswer(body: Json, turn: ScriptedTurn, res: ServerResponse): void {
  const id = rid('msg_');
  const block: Json =
    turn.kind === 'text'
      ? { type: 'text', text: turn.text }
      : { type: 'tool_use', id: turn.id.replace(/^call_/, 'toolu_'), name: turn.tool.name, input: turn.arguments };
  const stopReason = turn.kind === 'text' ? 'end_turn' : 'tool_use';
  const usage = { input_tokens: USAGE.input, output_tokens: USAGE.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const message = { id, type: 'message', role: 'assistant', model: body.model, content: [block], stop_reason: stopReason, stop_sequence: null, usage };
  if (body.stream !== true) return sendJson(res, 200, message);
  const write = startSse(res);
  const send = (type: string, data: Json) => write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } });
  if (block.type === 'text') {
    send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    for (const text of splitText(block.text, 3)) send('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
  } else {
    send('content_block_start', { index: 0, content_block: { ...block, input: {} } });
    for (const partial_json of splitText(JSON.stringify(block.input), 3))
      send('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json } });
  }
  send('content_block_stop', { index: 0 });
  send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: USAGE.output } });
  send('message_stop', {});
  res.end();
}

// ------------------------------------------------------------------ Gemini

function checkGeminiBody(body: Json): void {
  if (!Array.isArray(body.contents) || body.contents.length === 0) throw new Refusal(400, '* GenerateContentRequest.contents: contents is not specified');
  body.contents.forEach((c: Json, i: number) => {
    if (c?.role !== undefined && c.role !== 'user' && c.role !== 'model') throw new Refusal(400, `Please use a valid role: user, model. (contents[${i}])`);
    if (!Array.isArray(c?.parts) || c.parts.length === 0)
      throw new Refusal(400, `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`);
    for (const p of c.parts)
      if (p?.functionResponse && !p.functionResponse.name) throw new Refusal(400, `contents[${i}]: function_response.name: Name cannot be empty.`);
  });
}

function geminiAnswer(model: string, turn: ScriptedTurn, res: ServerResponse, stream: boolean): void {
  const usageMetadata = { promptTokenCount: USAGE.input, candidatesTokenCount: USAGE.output, totalTokenCount: USAGE.input + USAGE.output };
  const frame = (parts: Json[], final: boolean) => ({
    candidates: [{ content: { role: 'model', parts }, ...(final ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata,
    modelVersion: model,
    responseId: rid(''),
  });
  const parts: Json[] = turn.kind === 'text' ? [{ text: turn.text }] : [{ functionCall: { name: turn.tool.name, args: turn.arguments } }];
  if (!stream) return sendJson(res, 200, frame(parts, true));
  const write = startSse(res);
  const pieces = turn.kind === 'text' ? splitText(turn.text, 3).map((text) => [{ text }]) : [parts];
  pieces.forEach((p, i) => write(`data: ${JSON.stringify(frame(p, i === pieces.length - 1))}\r\n\r\n`));
  res.end();
}

// ------------------------------------------------------------------ the server

export async function startScriptedUpstream(format: WireFormat, options: ScriptedUpstreamOptions = {}): Promise<ScriptedUpstream> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const script = options.script ?? agentScript;
  const state = mockState();
  const generative = new WeakSet<object>();
  const statuses = new WeakMap<object, number>();

  const answer = (body: Json) => script(conversationView(format, body));

  async function handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock');
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const recorded = state.requests.at(-1)!;
    res.once('finish', () => statuses.set(recorded, res.statusCode));
    switch (format) {
      case 'openai-chat': {
        if (bearer !== apiKey) throw new Refusal(401, 'Incorrect API key provided.');
        if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') throw new Refusal(404, `Invalid URL (${req.method} ${url.pathname})`);
        const problem = validateChatBody(body);
        if (problem) throw new Refusal(400, problem.message, problem.param);
        generative.add(recorded);
        return chatAnswer(body as Json, answer(body as Json), res);
      }
      case 'openai-responses': {
        if (bearer !== apiKey) throw new Refusal(401, 'Incorrect API key provided.');
        if (req.method !== 'POST' || url.pathname !== '/v1/responses') throw new Refusal(404, `Invalid URL (${req.method} ${url.pathname})`);
        if (!isObj(body)) throw new Refusal(400, 'We could not parse the JSON body of your request.');
        checkResponsesBody(body);
        generative.add(recorded);
        return responsesAnswer(body, answer(body), res);
      }
      case 'anthropic': {
        if ((req.headers['x-api-key'] ?? bearer) !== apiKey) throw new Refusal(401, 'invalid x-api-key');
        if (!req.headers['anthropic-version']) throw new Refusal(400, 'anthropic-version: header is required');
        if (req.method !== 'POST' || !url.pathname.startsWith('/v1/messages')) throw new Refusal(404, `Not found: ${req.method} ${url.pathname}`);
        if (!isObj(body)) throw new Refusal(400, 'The request body is not valid JSON.');
        if (url.pathname === '/v1/messages/count_tokens') return sendJson(res, 200, { input_tokens: USAGE.input });
        if (url.pathname !== '/v1/messages') throw new Refusal(404, `Not found: ${req.method} ${url.pathname}`);
        checkAnthropicBody(body);
        generative.add(recorded);
        return anthropicAnswer(body, answer(body), res);
      }
      case 'gemini': {
        if ((req.headers['x-goog-api-key'] ?? url.searchParams.get('key')) !== apiKey) throw new Refusal(401, 'API key not valid.');
        const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(url.pathname);
        if (req.method !== 'POST' || !match) throw new Refusal(404, `Not found: ${req.method} ${url.pathname}`);
        if (!isObj(body)) throw new Refusal(400, 'Invalid JSON payload received.');
        if (match[2] === 'countTokens') return sendJson(res, 200, { totalTokens: USAGE.input });
        checkGeminiBody(body);
        generative.add(recorded);
        return geminiAnswer(match[1], answer(body), res, match[2] === 'streamGenerateContent');
      }
      default: {
        const _exhaustive: never = format;
        return _exhaustive;
      }
    }
  }

  const mock = await serveMock(options, state, handle, (res, error) => {
    const status = error instanceof Refusal ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    const param = error instanceof Refusal ? error.param : null;
    const bodies: Record<WireFormat, () => unknown> = {
      'openai-chat': () => openAIError(status, message, param),
      'openai-responses': () => openAIError(status, message, param),
      anthropic: () => anthropicErrorBody(status, message),
      gemini: () => googleErrorBody(status, message),
    };
    sendJson(res, status, bodies[format]());
  });
  const base = format === 'openai-chat' || format === 'openai-responses' ? `${mock.url}/v1` : mock.url;
  return Object.assign(Object.create(mock) as MockUpstream, {
    url: base,
    format,
    generations: () => state.requests.filter((r) => generative.has(r)),
    statusOf: (request: object) => statuses.get(request),
  });
}
