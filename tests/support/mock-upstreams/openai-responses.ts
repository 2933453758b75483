/**
 * Mock OpenAI Responses upstream: `POST /v1/responses` (JSON or typed SSE events with
 * `sequence_number`), url = `http://127.0.0.1:PORT/v1`, auth `Authorization: Bearer <key>`.
 * Default answers follow the rules in types.ts with `<format>` = `openai-responses`.
 * Stateless like the gateway: `previous_response_id` gets OpenAI's "not found" 400.
 */
import type { ServerResponse } from 'node:http';
import type { MockOptions, MockUpstream } from './types.js';
import { bearerKey, describeImage, openAIError, planAnswer, sendJson, sleep, splitText, startMockCore, startSse, write } from './openai-chat.js';
import type { MockContext, MockUsage, Plan, RequestView } from './openai-chat.js';

const PARAMS = new Set([
  'background',
  'conversation',
  'include',
  'input',
  'instructions',
  'max_output_tokens',
  'max_tool_calls',
  'metadata',
  'model',
  'parallel_tool_calls',
  'previous_response_id',
  'prompt',
  'prompt_cache_key',
  'prompt_cache_retention',
  'reasoning',
  'safety_identifier',
  'service_tier',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'text',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'truncation',
  'user',
]);
const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
type Invalid = { message: string; param: string | null; code?: string };

export function validateResponsesBody(body: unknown): Invalid | undefined {
  if (!isObj(body)) return { message: 'We could not parse the JSON body of your request.', param: null };
  for (const key of Object.keys(body)) if (!PARAMS.has(key)) return { message: `Unknown parameter: '${key}'.`, param: key, code: 'unknown_parameter' };
  if (typeof body.model !== 'string') return { message: "Missing required parameter: 'model'.", param: 'model', code: 'missing_required_parameter' };
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    return {
      message: `Previous response with id '${body.previous_response_id}' not found.`,
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    };
  }
  if (typeof body.input !== 'string' && !Array.isArray(body.input))
    return { message: "Invalid type for 'input': expected one of a string or array of input items.", param: 'input', code: 'invalid_type' };
  const calls = new Set<string>();
  for (const [i, item] of (Array.isArray(body.input) ? body.input : []).entries()) {
    const type = isObj(item) ? (item.type ?? 'message') : undefined;
    if (type === 'message') {
      if (!['user', 'assistant', 'system', 'developer'].includes(item.role))
        return { message: `Invalid value: '${item.role}'.`, param: `input[${i}].role`, code: 'invalid_value' };
      if (typeof item.content !== 'string' && !Array.isArray(item.content))
        return { message: `Invalid type for 'input[${i}].content'.`, param: `input[${i}].content`, code: 'invalid_type' };
    } else if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || typeof item.name !== 'string' || typeof item.arguments !== 'string')
        return { message: `Invalid function_call at 'input[${i}]'.`, param: `input[${i}]` };
      calls.add(item.call_id);
    } else if (type === 'function_call_output') {
      if (!calls.has(item.call_id)) return { message: `No tool call found for function call output with call_id ${item.call_id}.`, param: 'input' };
    } else if (type !== 'reasoning' && type !== 'item_reference') {
      return { message: `Invalid value: '${type}'.`, param: `input[${i}].type`, code: 'invalid_value' };
    }
  }
  if (body.max_output_tokens !== undefined && body.max_output_tokens !== null && (!Number.isInteger(body.max_output_tokens) || body.max_output_tokens < 16)) {
    return {
      message: `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${body.max_output_tokens} instead.`,
      param: 'max_output_tokens',
      code: 'integer_below_min_value',
    };
  }
  for (const [i, tool] of (Array.isArray(body.tools) ? body.tools : []).entries()) {
    if (!isObj(tool) || (tool.type === 'function' && typeof tool.name !== 'string'))
      return { message: `Missing required parameter: 'tools[${i}].name'.`, param: `tools[${i}].name`, code: 'missing_required_parameter' };
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean')
    return { message: "Invalid type for 'stream': expected a boolean.", param: 'stream', code: 'invalid_type' };
  return undefined;
}

function responsesView(body: Record<string, any>): RequestView {
  const items: any[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  const last = items[items.length - 1];
  const lastUser = [...items].reverse().find((m) => (m.type ?? 'message') === 'message' && m.role === 'user');
  const textOf = (c: unknown): string =>
    typeof c === 'string'
      ? c
      : Array.isArray(c)
        ? c
            .filter((p) => p?.type === 'input_text' || p?.type === 'output_text')
            .map((p) => p.text)
            .join('')
        : '';
  const image = Array.isArray(lastUser?.content) ? lastUser.content.find((p: any) => p?.type === 'input_image') : undefined;
  const firstTool = Array.isArray(body.tools) ? body.tools.find((t: any) => t?.type === 'function') : undefined;
  return {
    lastIsToolResult: last?.type === 'function_call_output' ? textOf(last.output) : undefined,
    firstToolName: firstTool?.name,
    lastUserText: textOf(lastUser?.content),
    lastUserImage: image ? describeImage(String(image.image_url ?? image.file_id)) : undefined,
  };
}

let counter = 0;
const nextId = (prefix: string): string => `${prefix}mock${(++counter).toString().padStart(6, '0')}`;

function usageOf(u: MockUsage, reasoning: number) {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: u.input + u.output,
  };
}

function envelope(body: Record<string, any>, id: string, status: string, output: unknown[], usage: unknown) {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
}

/** Final output items of a plan. */
function outputItems(plan: Plan): Array<Record<string, any>> {
  const items: Array<Record<string, any>> = [];
  if (plan.kind === 'reasoning') items.push({ id: nextId('rs_'), type: 'reasoning', summary: [{ type: 'summary_text', text: plan.reasoning }] });
  if (plan.kind === 'tool_call') {
    items.push({ id: nextId('fc_'), type: 'function_call', status: 'completed', arguments: plan.args, call_id: plan.id, name: plan.name });
  } else if (plan.kind === 'text' || plan.kind === 'reasoning') {
    items.push({
      id: nextId('msg_'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: plan.text }],
    });
  }
  return items;
}

async function streamResponse(ctx: MockContext, plan: Plan, id: string, items: Array<Record<string, any>>, usage: unknown): Promise<void> {
  const { res, body } = ctx;
  let seq = 0;
  const send = (type: string, data: Record<string, unknown>): boolean =>
    write(res, `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  startSse(res);
  send('response.created', { response: envelope(body, id, 'in_progress', [], null) });
  send('response.in_progress', { response: envelope(body, id, 'in_progress', [], null) });
  const delay = plan.kind === 'text' ? plan.delayMs : 0;
  const chunks = plan.kind === 'text' ? plan.chunks : 4;
  for (const [oi, item] of items.entries()) {
    const ids = { item_id: item.id, output_index: oi };
    if (item.type === 'reasoning') {
      const text: string = item.summary[0].text;
      send('response.output_item.added', { output_index: oi, item: { ...item, summary: [] } });
      send('response.reasoning_summary_part.added', { ...ids, summary_index: 0, part: { type: 'summary_text', text: '' } });
      for (const piece of splitText(text, 4)) send('response.reasoning_summary_text.delta', { ...ids, summary_index: 0, delta: piece });
      send('response.reasoning_summary_text.done', { ...ids, summary_index: 0, text });
      send('response.reasoning_summary_part.done', { ...ids, summary_index: 0, part: { type: 'summary_text', text } });
    } else if (item.type === 'function_call') {
      send('response.output_item.added', { output_index: oi, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const piece of splitText(item.arguments, 3)) send('response.function_call_arguments.delta', { ...ids, delta: piece });
      send('response.function_call_arguments.done', { ...ids, name: item.name, arguments: item.arguments });
    } else {
      const text: string = item.content[0].text;
      const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      send('response.output_item.added', { output_index: oi, item: { ...item, status: 'in_progress', content: [] } });
      send('response.content_part.added', { ...ids, content_index: 0, part });
      const pieces = splitText(text, chunks);
      const cut = plan.kind === 'drop' ? Math.max(1, Math.floor(pieces.length / 2)) : pieces.length;
      for (const piece of pieces.slice(0, cut)) {
        if (delay) await sleep(delay);
        if (!send('response.output_text.delta', { ...ids, content_index: 0, delta: piece, logprobs: [] })) return;
      }
      if (plan.kind === 'drop') return void setTimeout(() => ctx.destroyOnPurpose(), 20);
      send('response.output_text.done', { ...ids, content_index: 0, text, logprobs: [] });
      send('response.content_part.done', { ...ids, content_index: 0, part: { ...part, text } });
    }
    send('response.output_item.done', { output_index: oi, item });
  }
  send('response.completed', { response: envelope(body, id, 'completed', items, usage) });
  res.end();
}

async function answer(ctx: MockContext, plan: Plan, res: ServerResponse): Promise<void> {
  if (plan.kind === 'hang') return;
  if (plan.kind === 'error') return sendJson(res, plan.status, plan.body ?? openAIError(plan.status), plan.headers);
  const id = nextId('resp_');
  const streamPlan: Plan = plan.kind === 'drop' ? { kind: 'text', text: plan.text, chunks: 4, delayMs: 0 } : plan;
  const items = outputItems(streamPlan);
  const usage = usageOf(ctx.usage, plan.kind === 'reasoning' ? Math.min(ctx.usage.output, 4) : 0);
  if (ctx.body.stream === true) return streamResponse(ctx, plan, id, items, usage);
  if (plan.kind === 'drop') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"id":"${id}","object":"response","output":[{"type":"message","content":[{"type":"output_text","text":"${plan.text.slice(0, 3)}`);
    return void setTimeout(() => ctx.destroyOnPurpose(), 20);
  }
  sendJson(res, 200, envelope(ctx.body, id, 'completed', items, usage));
}

/**
 * A stricter upstream, like a Codex backend behind a relay: every field listed
 * in `rejectParams` and every `system` input item get a 400, and with
 * `requireStream` so does any request that does not set `stream: true`, or
 * (with `requireStoreFalse`) one that does not set `store: false`.
 */
export interface ResponsesMockOptions extends MockOptions {
  requireStream?: boolean;
  requireStoreFalse?: boolean;
  rejectParams?: string[];
  rejectSystemRole?: boolean;
}

function strictProblem(body: Record<string, any>, options: ResponsesMockOptions): Invalid | undefined {
  for (const param of options.rejectParams ?? []) {
    if (param in body) return { message: `Unsupported parameter: ${param}`, param, code: 'unsupported_parameter' };
  }
  if (options.rejectSystemRole && Array.isArray(body.input)) {
    const i = body.input.findIndex((item: any) => isObj(item) && item.role === 'system');
    if (i !== -1) return { message: 'System messages are not allowed', param: `input[${i}].role`, code: 'invalid_value' };
  }
  if (options.requireStream && body.stream !== true) return { message: 'Stream must be set to true', param: 'stream', code: 'invalid_value' };
  if (options.requireStoreFalse && body.store !== false) return { message: 'Store must be set to false', param: 'store', code: 'invalid_value' };
  return undefined;
}

export function startOpenAIResponsesMock(options?: ResponsesMockOptions): Promise<MockUpstream> {
  return startMockCore(options, '/v1', async (ctx) => {
    const { req, res, body } = ctx;
    if (bearerKey(req) !== ctx.apiKey) return sendJson(res, 401, openAIError(401));
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/responses') {
      return sendJson(res, 404, openAIError(404, `Invalid URL (${req.method} ${req.url})`, null, null));
    }
    const problem = validateResponsesBody(body) ?? (options ? strictProblem(body, options) : undefined);
    if (problem) return sendJson(res, 400, openAIError(400, problem.message, problem.param, problem.code ?? null));
    await answer(ctx, planAnswer(ctx.takeScenario(), responsesView(body), 'openai-responses'), res);
  });
}
