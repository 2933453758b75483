/**
 * Coding-agent requests through the gateway with the official SDKs: a Codex-shaped
 * Responses body reaches a Responses upstream byte for byte (only `model` changed)
 * with Codex's headers, and reaches chat, Anthropic and Gemini upstreams translated
 * (custom tools as one-string-parameter functions, namespaces flattened, hosted
 * tools mapped or dropped), with what was dropped listed in `x-gateway-warnings`
 * and in the request log. Calls come back to the Responses client in its own
 * terms: custom_tool_call (streamed as custom_tool_call_input deltas) and
 * namespaced function_call.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import {
  addUpstream,
  anthropicClient,
  createKey,
  createModel,
  createProvider,
  lastRequest,
  openaiClient,
  postRaw,
  UPSTREAM_KEY,
} from '../support/proxy-fixture.js';
import { CODEX_HEADERS, ENCRYPTED_REASONING, codexRequest } from '../formats/fixtures/codex-request.js';
import { asyncHandler, listenLocal, readBody } from '../support/mock-upstreams/serve.js';

/** A Responses upstream that records the exact bytes and headers it receives and streams a custom tool call back. */
interface RawUpstream {
  url: string;
  received: Array<{ raw: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

const PATCH = '*** Begin Patch\n*** Update File: README.md\n-Helo\n+Hello\n*** End Patch\n';

async function startRawResponsesUpstream(): Promise<RawUpstream> {
  const received: RawUpstream['received'] = [];
  const server = createServer(
    asyncHandler(async (req, res) => {
      const { raw } = await readBody(req);
      received.push({ raw, headers: req.headers });
      const body = JSON.parse(raw) as { model: string; stream?: boolean };
      const response = (status: string, output: unknown[]) => ({
        id: 'resp_raw',
        object: 'response',
        created_at: 1,
        status,
        model: body.model,
        output,
        usage: status === 'completed' ? { input_tokens: 10, output_tokens: 5, total_tokens: 15 } : null,
      });
      const reasoning = { id: 'rs_raw', type: 'reasoning', summary: [], encrypted_content: ENCRYPTED_REASONING };
      const call = { id: 'ctc_raw', type: 'custom_tool_call', status: 'completed', call_id: 'call_raw', name: 'apply_patch', input: PATCH };
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(response('completed', [reasoning, call])));
        return;
      }
      let seq = 0;
      const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        ev('response.created', { response: response('in_progress', []) }) +
          ev('response.output_item.added', { output_index: 0, item: { ...reasoning, encrypted_content: undefined } }) +
          ev('response.output_item.done', { output_index: 0, item: reasoning }) +
          ev('response.output_item.added', { output_index: 1, item: { ...call, status: 'in_progress', input: '' } }) +
          ev('response.custom_tool_call_input.delta', { output_index: 1, item_id: 'ctc_raw', delta: PATCH.slice(0, 20) }) +
          ev('response.custom_tool_call_input.delta', { output_index: 1, item_id: 'ctc_raw', delta: PATCH.slice(20) }) +
          ev('response.custom_tool_call_input.done', { output_index: 1, item_id: 'ctc_raw', input: PATCH }) +
          ev('response.output_item.done', { output_index: 1, item: call }) +
          ev('response.completed', { response: response('completed', [reasoning, call]) }),
      );
    }),
  );
  const local = await listenLocal(server);
  return { url: `${local.url}/v1`, received, close: local.close };
}

let gw: TestGateway;
let key: string;
let raw: RawUpstream;
const mocks: Record<string, MockUpstream> = {};

beforeAll(async () => {
  gw = await startTestGateway();
  raw = await startRawResponsesUpstream();
  const provider = await createProvider(gw, { name: 'raw-responses', type: 'openai-responses', baseUrl: raw.url });
  await createModel(gw, provider, 'codex-via-responses', 'gpt-5-codex-upstream');
  await createModel(gw, provider, 'gpt-5-codex', 'gpt-5-codex');
  mocks.chat = (await addUpstream(gw, 'openai-chat', { model: 'codex-via-chat' })).mock;
  mocks.anthropic = (await addUpstream(gw, 'anthropic', { model: 'codex-via-anthropic' })).mock;
  mocks.gemini = (await addUpstream(gw, 'gemini', { model: 'codex-via-gemini' })).mock;
  key = (await createKey(gw)).key;
});

afterAll(async () => {
  await gw?.stop();
  await raw?.close();
  await Promise.all(Object.values(mocks).map((m) => m.close()));
});

/** The request log row of the newest request for a model (the batched writer stores it shortly after). */
async function logRow(model: string) {
  let row: { warnings: string | null; status: number } | null = null;
  const until = Date.now() + 5000;
  while (!row && Date.now() < until) {
    row = await gw.services.db.requestLog.findFirst({
      where: { requestedModel: model },
      orderBy: { createdAt: 'desc' },
      select: { warnings: true, status: true },
    });
    if (!row) await new Promise((r) => setTimeout(r, 50));
  }
  if (!row) throw new Error(`no log row for ${model}`);
  return row;
}

describe('Codex → Responses upstream: a passthrough', () => {
  test('the body arrives byte for byte with only model changed, with Codex headers and not the virtual key', async () => {
    const body = codexRequest('codex-via-responses');
    const client = openaiClient(gw, key);
    const { data: stream, response } = await client.responses.create(body as any, { headers: CODEX_HEADERS }).withResponse();
    const events: any[] = [];
    for await (const event of stream as any) events.push(event);

    const { raw: sent, headers } = raw.received.at(-1)!;
    expect(sent).toBe(JSON.stringify({ ...body, model: 'gpt-5-codex-upstream' }));
    for (const [name, value] of Object.entries(CODEX_HEADERS)) expect(headers[name]).toBe(value);
    expect(headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(headers)).not.toContain(key);
    expect(response.headers.get('x-gateway-warnings')).toBeNull();

    expect(
      events
        .filter((e) => e.type === 'response.custom_tool_call_input.delta')
        .map((e) => e.delta)
        .join(''),
    ).toBe(PATCH);
    const final = events.at(-1);
    expect(final.type).toBe('response.completed');
    expect(final.response.output[0]).toMatchObject({ type: 'reasoning', encrypted_content: ENCRYPTED_REASONING });
    expect(final.response.output[1]).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: PATCH });
  });

  test('when the model name needs no change the client bytes go upstream untouched', async () => {
    const text = JSON.stringify(codexRequest('gpt-5-codex'), null, 1).replace('"stream": true', '"stream": false');
    const res = await postRaw(gw, '/v1/responses', text, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(200);
    expect(raw.received.at(-1)!.raw).toBe(text);
    expect(res.json.output[1]).toMatchObject({ type: 'custom_tool_call', input: PATCH });
  });
});

describe('Codex → other upstream formats: translated, with warnings', () => {
  test('chat: tools as functions, custom call comes back as custom_tool_call streamed as input deltas', async () => {
    mocks.chat.enqueue({ type: 'tool_call', name: 'apply_patch', arguments: { input: PATCH }, id: 'call_chat_1' });
    const client = openaiClient(gw, key);
    const { data: stream, response } = await client.responses.create(codexRequest('codex-via-chat') as any).withResponse();
    const events: any[] = [];
    for await (const event of stream as any) events.push(event);

    const sent = lastRequest(mocks.chat).body;
    expect(sent.tools.map((t: any) => t.function.name)).toEqual(['exec_command', 'apply_patch', 'mcp__docs__search']);
    expect(sent.tools[1].function.parameters.required).toEqual(['input']);
    expect(sent).toMatchObject({ prompt_cache_key: '019a0000-0000-7000-8000-000000000001', verbosity: 'low', reasoning_effort: 'medium' });
    const patchCall = sent.messages.flatMap((m: any) => m.tool_calls ?? []).find((c: any) => c.function.name === 'apply_patch');
    expect(JSON.parse(patchCall.function.arguments).input).toContain('+Hello world');

    const warnings = response.headers.get('x-gateway-warnings');
    expect(warnings).toBe(
      'item tool_search_call dropped; item tool_search_output dropped; tool tool_search dropped; tool web_search dropped; field reasoning.summary dropped; field client_metadata dropped',
    );

    const deltas = events.filter((e) => e.type === 'response.custom_tool_call_input.delta').map((e) => e.delta);
    expect(deltas.join('')).toBe(PATCH);
    const done = events.find((e) => e.type === 'response.output_item.done' && e.item.type === 'custom_tool_call');
    expect(done.item).toMatchObject({ call_id: 'call_chat_1', name: 'apply_patch', input: PATCH, status: 'completed' });
    expect(events.some((e) => e.type === 'response.function_call_arguments.delta')).toBe(false);
    expect((await logRow('codex-via-chat')).warnings).toBe(warnings);
  });

  test('chat: a flattened namespace call comes back as function_call with its namespace (whole answer)', async () => {
    mocks.chat.enqueue({ type: 'tool_call', name: 'mcp__docs__search', arguments: { q: 'typo' }, id: 'call_chat_2' });
    const client = openaiClient(gw, key);
    const answer: any = await client.responses.create({ ...codexRequest('codex-via-chat'), stream: false } as any);
    expect(answer.output).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'search', namespace: 'mcp__docs__', call_id: 'call_chat_2', arguments: '{"q":"typo"}' }),
    ]);
  });

  test('anthropic: web search as its server tool, custom call back as custom_tool_call', async () => {
    mocks.anthropic.enqueue({ type: 'tool_call', name: 'apply_patch', arguments: { input: PATCH }, id: 'toolu_patch' });
    const res = await postRaw(gw, '/v1/responses', { ...codexRequest('codex-via-anthropic'), stream: false }, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(200);
    const sent = lastRequest(mocks.anthropic).body;
    expect(sent.tools.map((t: any) => t.name)).toEqual(['exec_command', 'apply_patch', 'mcp__docs__search', 'web_search']);
    expect(sent.tools[3].type).toBe('web_search_20250305');
    expect(JSON.stringify(sent)).not.toContain(ENCRYPTED_REASONING);
    expect(res.json.output).toEqual([expect.objectContaining({ type: 'custom_tool_call', name: 'apply_patch', input: PATCH, call_id: 'toolu_patch' })]);
    const warnings = res.headers.get('x-gateway-warnings')!;
    expect(warnings.split('; ')).toEqual(
      expect.arrayContaining(['tool tool_search dropped', 'field prompt_cache_key dropped', 'field verbosity dropped', 'field client_metadata dropped']),
    );
    expect(warnings).not.toContain('web_search');
    expect((await logRow('codex-via-anthropic')).warnings).toBe(warnings);
  });

  test('gemini: functions flattened, google_search dropped next to functions on this model, answer streams back', async () => {
    const client = openaiClient(gw, key);
    const { data: stream, response } = await client.responses.create(codexRequest('codex-via-gemini') as any).withResponse();
    let text = '';
    for await (const event of stream as any) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('Hello from gemini: now run the tests');
    const sent = lastRequest(mocks.gemini).body;
    expect(sent.tools).toHaveLength(1);
    expect(sent.tools[0].functionDeclarations.map((f: any) => f.name)).toEqual(['exec_command', 'apply_patch', 'mcp__docs__search']);
    expect(response.headers.get('x-gateway-warnings')).toContain('tool web_search dropped (model cannot combine google_search with functions)');
  });

  test('a malformed Codex body is still a 400 naming the field, in the OpenAI format', async () => {
    const body = codexRequest('codex-via-chat');
    body.tools[2].tools[0] = { type: 'function', description: 'no name' };
    const res = await postRaw(gw, '/v1/responses', body, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ type: 'invalid_request_error', param: 'tools[2].tools[0].name' });
  });
});

describe('Messages clients', () => {
  test('?beta=true, output_config.format and context_management reach a chat upstream mapped or reported', async () => {
    const client = anthropicClient(gw, key);
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
    const { response } = await client.messages
      .create(
        {
          model: 'codex-via-chat',
          max_tokens: 200,
          system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: 'answer as JSON' }],
          output_config: { effort: 'low', format: { type: 'json_schema', schema } },
          context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
          tools: [{ type: 'web_fetch_20250910', name: 'web_fetch' }],
        } as any,
        { path: '/v1/messages?beta=true' },
      )
      .withResponse();
    const sent = lastRequest(mocks.chat).body;
    expect(sent.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema, strict: true } });
    expect(sent.reasoning_effort).toBe('low');
    expect(sent.tools).toBeUndefined();
    expect(response.headers.get('x-gateway-warnings')).toBe('tool web_fetch_20250910 dropped; field context_management dropped');
  });

  test('a Claude Code body passes through to an Anthropic upstream with its betas, server tools and blocks intact', async () => {
    const body = {
      model: 'codex-via-anthropic',
      max_tokens: 1000,
      stream: false,
      messages: [
        { role: 'user', content: 'search' },
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
            { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
            { type: 'text', text: 'found nothing' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'ok', cache_control: { type: 'ephemeral' } }] },
      ],
      tools: [
        { name: 'Grep', input_schema: { type: 'object', properties: {} }, defer_loading: true },
        { type: 'tool_search_tool_regex_20251119', name: 'tool_search_tool_regex' },
      ],
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
      future_field: { keep: true },
    };
    const res = await postRaw(gw, '/v1/messages?beta=true', body, {
      'x-api-key': key,
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'context-management-2025-06-27,advanced-tool-use-2025-11-20',
    });
    expect(res.text).toContain('"type":"message"');
    const received = lastRequest(mocks.anthropic);
    expect(received.body).toEqual({ ...body, model: 'claude-sonnet-4-5-20250929' });
    expect(received.headers['anthropic-beta']).toBe('context-management-2025-06-27,advanced-tool-use-2025-11-20');
    expect(res.headers.get('x-gateway-warnings')).toBeNull();
  });
});
