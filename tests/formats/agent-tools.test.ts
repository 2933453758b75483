/**
 * Translation fidelity for coding agents: every tool type Codex and Claude Code
 * send, across the four upstream formats, in both directions (requests, whole
 * answers and streams), with the warnings for what a format cannot carry.
 */
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, SseMessage, StreamDecoder, StreamEncoder } from '../../server/core/index.js';
import type { UpstreamTarget } from '../../server/proxy/formats/format.js';
import { anthropicClient, anthropicUpstream } from '../../server/proxy/formats/anthropic-messages/index.js';
import { geminiUpstream } from '../../server/proxy/formats/gemini/index.js';
import { openAIChatClient, openAIChatUpstream } from '../../server/proxy/formats/openai-chat/index.js';
import { openAIResponsesClient, openAIResponsesUpstream } from '../../server/proxy/formats/openai-responses/index.js';
import { CustomInputStream } from '../../server/proxy/formats/shared/input-stream.js';
import { wireToolName } from '../../server/proxy/formats/shared/tool-names.js';
import { splitCallId, idWithSignature } from '../../server/proxy/formats/shared/call-ids.js';
import { warningsHeaderValue } from '../../server/proxy/pipeline/warnings.js';
import { ResponseAssembler } from '../../server/proxy/pipeline/assemble.js';
import { parseSse } from '../support/proxy-fixture.js';
import { APPLY_PATCH_GRAMMAR, ENCRYPTED_REASONING, codexRequest } from './fixtures/codex-request.js';

const target = (upstreamModel = 'up'): UpstreamTarget & { warnings: string[] } => ({ upstreamModel, warnings: [] });

/** Pushes upstream SSE through a decoder and a client encoder; returns the client's events. */
function relay(decoder: StreamDecoder, encoder: StreamEncoder, messages: SseMessage[]) {
  let text = '';
  for (const m of messages) for (const e of decoder.push(m)) text += encoder.push(e);
  for (const e of decoder.end()) text += encoder.push(e);
  return parseSse(text + encoder.end());
}

const data = (value: unknown, event?: string): SseMessage => ({ data: JSON.stringify(value), ...(event && { event }) });

describe('responses decode: Codex requests are carried whole', () => {
  const request = openAIResponsesClient.decodeRequest(codexRequest());

  it('keeps every tool: functions, custom, namespace members, web search, and the rest opaque', () => {
    expect(request.tools).toEqual([
      expect.objectContaining({ name: 'exec_command', strict: false }),
      {
        type: 'custom',
        name: 'apply_patch',
        description: 'Use the `apply_patch` tool to edit files.',
        format: { type: 'grammar', syntax: 'lark', definition: APPLY_PATCH_GRAMMAR },
      },
      expect.objectContaining({ name: 'search', namespace: 'mcp__docs__', deferLoading: true }),
      expect.objectContaining({ type: 'web_search', raw: { format: 'openai-responses', value: { type: 'web_search', external_web_access: false } } }),
      expect.objectContaining({ type: 'opaque', format: 'openai-responses', toolType: 'tool_search' }),
    ]);
  });

  it('keeps every item: encrypted reasoning, custom and namespaced calls, tool search items opaque, in order', () => {
    const assistant = request.messages.find((m) => m.role === 'assistant')!;
    expect(assistant.content[0]).toEqual({ type: 'reasoning', text: '**Reading the file**', encryptedContent: ENCRYPTED_REASONING });
    const calls = request.messages.flatMap((m) => m.content).filter((p) => p.type === 'tool_call');
    expect(calls).toEqual([
      { type: 'tool_call', id: 'call_exec_1', name: 'exec_command', arguments: '{"cmd":"cat README.md"}' },
      { type: 'tool_call', id: 'call_patch_1', name: 'apply_patch', arguments: expect.stringContaining('*** Begin Patch'), kind: 'custom' },
      { type: 'tool_call', id: 'call_docs_1', name: 'search', arguments: '{"q":"typo"}', namespace: 'mcp__docs__' },
    ]);
    const opaque = request.messages
      .flatMap((m) => m.content)
      .filter((p) => p.type === 'opaque')
      .map((p) => (p as { itemType: string }).itemType);
    expect(opaque).toEqual(['tool_search_call', 'tool_search_output']);
    const result = request.messages.flatMap((m) => m.content).find((p) => p.type === 'tool_result' && p.toolCallId === 'call_patch_1');
    expect(result).toMatchObject({ kind: 'custom', content: [{ type: 'text', text: 'Success. Updated README.md' }] });
  });

  it('maps the fields it has room for and lists the rest as unmapped', () => {
    expect(request).toMatchObject({
      promptCacheKey: '019a0000-0000-7000-8000-000000000001',
      verbosity: 'low',
      store: false,
      parallelToolCalls: true,
      reasoning: { effort: 'medium', summary: 'auto' },
    });
    expect(request.unmapped).toEqual(['client_metadata']);
  });

  it('re-encodes to Responses with every tool and item as the client sent it', () => {
    const body = codexRequest();
    const out = openAIResponsesUpstream.encodeRequest(request, target());
    expect(out.input).toEqual(body.input.map((item: Record<string, unknown>) => normaliseItem(item)));
    expect(out.tools).toEqual(body.tools);
    expect(out).toMatchObject({
      prompt_cache_key: body.prompt_cache_key,
      text: { verbosity: 'low' },
      reasoning: body.reasoning,
      store: false,
      instructions: body.instructions,
    });
  });
});

/** The encoder writes assistant text as a string and drops `null` reasoning content; otherwise items are the client's. */
function normaliseItem(item: Record<string, unknown>): Record<string, unknown> {
  if (item.type === 'message' && item.role === 'assistant') return { type: 'message', role: 'assistant', content: 'Fixed the typo.' };
  if (item.type === 'reasoning') return { type: 'reasoning', summary: item.summary, encrypted_content: item.encrypted_content };
  if (item.type === 'custom_tool_call') return { type: 'custom_tool_call', call_id: item.call_id, name: item.name, input: item.input };
  return item;
}

describe('responses → other upstreams: the documented mapping and warnings', () => {
  const request = openAIResponsesClient.decodeRequest(codexRequest());

  it('chat: custom → function with one string parameter, namespace flattened, hosted tools dropped with warnings', () => {
    const t = target();
    const out = openAIChatUpstream.encodeRequest(request, t) as any;
    expect(out.tools.map((tool: any) => tool.function.name)).toEqual(['exec_command', 'apply_patch', 'mcp__docs__search']);
    const patch = out.tools[1].function;
    expect(patch.parameters).toEqual({
      type: 'object',
      properties: { input: { type: 'string', description: 'The raw input for this tool.' } },
      required: ['input'],
      additionalProperties: false,
    });
    expect(patch.description).toContain(APPLY_PATCH_GRAMMAR);
    const calls = out.messages.flatMap((m: any) => m.tool_calls ?? []);
    expect(calls.map((c: any) => c.function.name)).toEqual(['exec_command', 'apply_patch', 'mcp__docs__search']);
    expect(JSON.parse(calls[1].function.arguments).input).toContain('+Hello world');
    expect(out).toMatchObject({ prompt_cache_key: request.promptCacheKey, verbosity: 'low', reasoning_effort: 'medium', parallel_tool_calls: true });
    expect(t.warnings).toEqual([
      'item tool_search_call dropped',
      'item tool_search_output dropped',
      'tool tool_search dropped',
      'tool web_search dropped',
      'field reasoning.summary dropped',
      'field client_metadata dropped',
    ]);
    // Encrypted reasoning has no Chat field: omitted, never sent as text.
    expect(JSON.stringify(out)).not.toContain(ENCRYPTED_REASONING);
  });

  it('anthropic: web search becomes the server tool, reasoning state is omitted, the rest is reported', () => {
    const t = target();
    const out = anthropicUpstream.encodeRequest(request, t) as any;
    expect(out.tools.map((tool: any) => tool.name)).toEqual(['exec_command', 'apply_patch', 'mcp__docs__search', 'web_search']);
    expect(out.tools[3]).toEqual({ type: 'web_search_20250305', name: 'web_search' });
    // No tool search tool on this side: deferred tools are loaded like the others.
    expect(out.tools[2].defer_loading).toBeUndefined();
    const uses = out.messages.flatMap((m: any) => m.content).filter((b: any) => b.type === 'tool_use');
    expect(uses[1]).toMatchObject({ name: 'apply_patch', input: { input: expect.stringContaining('*** Update File: README.md') } });
    expect(JSON.stringify(out)).not.toContain(ENCRYPTED_REASONING);
    expect(t.warnings).toEqual(
      expect.arrayContaining(['tool tool_search dropped', 'field prompt_cache_key dropped', 'field verbosity dropped', 'field client_metadata dropped']),
    );
  });

  it('gemini: google_search only where the model combines it with functions', () => {
    const t = target('gemini-2.5-flash');
    const out = geminiUpstream.encodeRequest(request, t) as any;
    expect(out.tools).toHaveLength(1);
    expect(out.tools[0].functionDeclarations.map((f: any) => f.name)).toEqual(['exec_command', 'apply_patch', 'mcp__docs__search']);
    expect(t.warnings).toContain('tool web_search dropped (model cannot combine google_search with functions)');
    const three = geminiUpstream.encodeRequest(request, target('gemini-3-pro-preview')) as any;
    expect(three.tools[1]).toEqual({ googleSearch: {} });
    const calls = out.contents.flatMap((c: any) => c.parts).filter((p: any) => p.functionCall);
    expect(calls[1].functionCall).toEqual({ name: 'apply_patch', args: { input: expect.stringContaining('*** End Patch') } });
    expect(out.contents.flatMap((c: any) => c.parts).find((p: any) => p.functionResponse?.name === 'mcp__docs__search')).toBeTruthy();
  });

  it('wire names are legal for every upstream and at most 64 characters, and stable', () => {
    const long = wireToolName('a'.repeat(60), 'mcp__server.with.dots__');
    expect(long).toMatch(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/);
    expect(wireToolName('a'.repeat(60), 'mcp__server.with.dots__')).toBe(long);
    expect(wireToolName('b'.repeat(60), 'mcp__server.with.dots__')).not.toBe(long);
    expect(wireToolName('exec_command')).toBe('exec_command');
    expect(wireToolName('9lives')).toMatch(/^_9lives_[0-9a-f]{8}$/);
  });
});

describe('answers back to a Responses client', () => {
  const request = openAIResponsesClient.decodeRequest({ ...codexRequest(), stream: false });

  it('a chat answer calling the function forms comes back as custom_tool_call and namespaced function_call', () => {
    const canonical = openAIChatUpstream.decodeResponse({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch\\n"}' } },
              { id: 'call_b', type: 'function', function: { name: 'mcp__docs__search', arguments: '{"q":"x"}' } },
            ],
          },
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
    const out = openAIResponsesClient.encodeResponse(canonical, request) as any;
    expect(out.output).toEqual([
      {
        id: expect.stringMatching(/^ctc_/),
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'call_a',
        name: 'apply_patch',
        input: '*** Begin Patch\n*** End Patch\n',
      },
      {
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        status: 'completed',
        arguments: '{"q":"x"}',
        call_id: 'call_b',
        name: 'search',
        namespace: 'mcp__docs__',
      },
    ]);
    expect(out.tools.find((t: any) => t.type === 'custom')).toMatchObject({ name: 'apply_patch' });
  });

  it('encrypted reasoning from a Responses upstream reaches a Responses client unchanged, a chat client without it', () => {
    const canonical = openAIResponsesUpstream.decodeResponse({
      id: 'resp_1',
      object: 'response',
      created_at: 1,
      status: 'completed',
      model: 'm',
      output: [
        { id: 'rs_7', type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: ENCRYPTED_REASONING },
        { id: 'ctc_1', type: 'custom_tool_call', status: 'completed', call_id: 'call_c', name: 'apply_patch', input: 'PATCH' },
      ],
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    const responses = openAIResponsesClient.encodeResponse(canonical, request) as any;
    expect(responses.output[0]).toEqual({
      id: 'rs_7',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'thinking' }],
      encrypted_content: ENCRYPTED_REASONING,
    });
    expect(responses.output[1]).toMatchObject({ type: 'custom_tool_call', call_id: 'call_c', input: 'PATCH' });
    const chat = openAIChatClient.encodeResponse(canonical, openAIChatClient.decodeRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] })) as any;
    expect(JSON.stringify(chat)).not.toContain(ENCRYPTED_REASONING);
    expect(chat.choices[0].message.reasoning_content).toBe('thinking');
  });

  const customStreamChecks = (events: Array<{ event?: string; data: any }>, input: string) => {
    const types = events.map((e) => e.event);
    expect(types).toContain('response.custom_tool_call_input.done');
    expect(types).not.toContain('response.function_call_arguments.delta');
    const added = events.find((e) => e.event === 'response.output_item.added' && e.data.item.type === 'custom_tool_call');
    expect(added?.data.item).toMatchObject({ name: 'apply_patch', call_id: expect.any(String), input: '' });
    const deltas = events.filter((e) => e.event === 'response.custom_tool_call_input.delta').map((e) => e.data.delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(input);
    expect(events.find((e) => e.event === 'response.custom_tool_call_input.done')?.data.input).toBe(input);
    const done = events.find((e) => e.event === 'response.output_item.done' && e.data.item.type === 'custom_tool_call');
    expect(done?.data.item).toMatchObject({ status: 'completed', input });
    expect(events.at(-1)?.event).toBe('response.completed');
  };

  const PATCH = '*** Begin Patch\n*** Add File: a.txt\n+say "hi"\t\\o/ \u00e9\n*** End Patch\n';
  const argsJson = JSON.stringify({ input: PATCH });
  const pieces = [argsJson.slice(0, 5), argsJson.slice(5, 13), argsJson.slice(13, 40), argsJson.slice(40, 41), argsJson.slice(41)];

  it('a custom call streamed from a chat upstream arrives as custom_tool_call_input deltas', () => {
    const chunk = (delta: unknown, finish: string | null = null) =>
      data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
    const messages = [
      chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_s', type: 'function', function: { name: 'apply_patch', arguments: '' } }] }),
      ...pieces.map((p) => chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] })),
      chunk({}, 'tool_calls'),
      { data: '[DONE]' },
    ];
    customStreamChecks(relay(openAIChatUpstream.createStreamDecoder(), openAIResponsesClient.createStreamEncoder(request), messages), PATCH);
  });

  it('a custom call streamed from an Anthropic upstream arrives as custom_tool_call_input deltas', () => {
    const ev = (type: string, body: Record<string, unknown>) => data({ type, ...body }, type);
    const messages = [
      ev('message_start', { message: { id: 'msg_1', model: 'c', usage: { input_tokens: 1, output_tokens: 1 } } }),
      ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'apply_patch', input: {} } }),
      ...pieces.map((p) => ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: p } })),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } }),
      ev('message_stop', {}),
    ];
    customStreamChecks(relay(anthropicUpstream.createStreamDecoder(), openAIResponsesClient.createStreamEncoder(request), messages), PATCH);
  });

  it('a custom call from a Gemini upstream (whole in one chunk) arrives as a custom_tool_call', () => {
    const messages = [
      data({
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'apply_patch', args: { input: PATCH } } }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1 },
      }),
    ];
    const events = relay(geminiUpstream.createStreamDecoder(), openAIResponsesClient.createStreamEncoder(request), messages);
    expect(
      events
        .filter((e) => e.event === 'response.custom_tool_call_input.delta')
        .map((e) => e.data.delta)
        .join(''),
    ).toBe(PATCH);
    expect(events.find((e) => e.event === 'response.output_item.done' && e.data.item.type === 'custom_tool_call')?.data.item.input).toBe(PATCH);
  });

  it('a namespaced call streamed from a chat upstream comes back as function_call with its namespace', () => {
    const chunk = (delta: unknown, finish: string | null = null) =>
      data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
    const events = relay(openAIChatUpstream.createStreamDecoder(), openAIResponsesClient.createStreamEncoder(request), [
      chunk({ tool_calls: [{ index: 0, id: 'call_n', type: 'function', function: { name: 'mcp__docs__search', arguments: '{"q":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      chunk({}, 'tool_calls'),
      { data: '[DONE]' },
    ]);
    const done = events.find((e) => e.event === 'response.output_item.done')!.data.item;
    expect(done).toMatchObject({ type: 'function_call', name: 'search', namespace: 'mcp__docs__', arguments: '{"q":"x"}' });
  });

  it('Responses upstream stream: custom_tool_call events and encrypted reasoning are decoded and re-encoded', () => {
    let seq = 0;
    const ev = (type: string, body: Record<string, unknown>) => data({ type, sequence_number: seq++, ...body }, type);
    const messages = [
      ev('response.created', { response: { id: 'resp_s', model: 'm', created_at: 1 } }),
      ev('response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }),
      ev('response.output_item.done', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: ENCRYPTED_REASONING } }),
      ev('response.output_item.added', { output_index: 1, item: { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_r', name: 'apply_patch', input: '' } }),
      ev('response.custom_tool_call_input.delta', { output_index: 1, item_id: 'ctc_1', delta: '*** Begin' }),
      ev('response.custom_tool_call_input.delta', { output_index: 1, item_id: 'ctc_1', delta: ' Patch' }),
      ev('response.custom_tool_call_input.done', { output_index: 1, item_id: 'ctc_1', input: '*** Begin Patch' }),
      ev('response.output_item.done', {
        output_index: 1,
        item: { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_r', name: 'apply_patch', input: '*** Begin Patch' },
      }),
      ev('response.completed', { response: { id: 'resp_s', status: 'completed', output: [], usage: { input_tokens: 1, output_tokens: 1 } } }),
    ];
    const decoded = openAIResponsesUpstream.createStreamDecoder();
    const canonical = messages.flatMap((m) => decoded.push(m));
    expect(canonical).toContainEqual({ type: 'reasoning-end', block: 0, encryptedContent: ENCRYPTED_REASONING, itemId: 'rs_1' });
    expect(canonical).toContainEqual(expect.objectContaining({ type: 'tool-call-start', kind: 'custom', name: 'apply_patch', id: 'call_r' }));
    const events = relay(openAIResponsesUpstream.createStreamDecoder(), openAIResponsesClient.createStreamEncoder(request), messages);
    expect(events.find((e) => e.event === 'response.output_item.done' && e.data.item.type === 'reasoning')?.data.item.encrypted_content).toBe(
      ENCRYPTED_REASONING,
    );
    expect(events.filter((e) => e.event === 'response.custom_tool_call_input.delta').map((e) => e.data.delta)).toEqual(['*** Begin', ' Patch']);
  });
});

describe('Chat Completions custom tools', () => {
  const grammar = { type: 'grammar', grammar: { syntax: 'lark', definition: APPLY_PATCH_GRAMMAR } };
  const chatBody = {
    model: 'm',
    stream: true,
    messages: [
      { role: 'user', content: 'patch it' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_p', type: 'custom', custom: { name: 'apply_patch', input: 'OLD PATCH' } }] },
      { role: 'tool', tool_call_id: 'call_p', content: 'applied' },
    ],
    tools: [{ type: 'custom', custom: { name: 'apply_patch', description: 'Edit files', format: grammar } }],
    tool_choice: { type: 'custom', custom: { name: 'apply_patch' } },
  };
  const request = openAIChatClient.decodeRequest(chatBody);

  it('decode into the canonical custom tool and call', () => {
    expect(request.tools).toEqual([
      { type: 'custom', name: 'apply_patch', description: 'Edit files', format: { type: 'grammar', syntax: 'lark', definition: APPLY_PATCH_GRAMMAR } },
    ]);
    expect(request.messages[1].content[0]).toEqual({ type: 'tool_call', id: 'call_p', name: 'apply_patch', arguments: 'OLD PATCH', kind: 'custom' });
    expect(request.toolChoice).toEqual({ type: 'tool', name: 'apply_patch' });
  });

  it('go to Responses as custom tools and calls, to Anthropic as one-string-parameter functions', () => {
    const responses = openAIResponsesUpstream.encodeRequest(request, target()) as any;
    expect(responses.tools).toEqual([
      { type: 'custom', name: 'apply_patch', description: 'Edit files', format: { type: 'grammar', syntax: 'lark', definition: APPLY_PATCH_GRAMMAR } },
    ]);
    expect(responses.tool_choice).toEqual({ type: 'custom', name: 'apply_patch' });
    expect(responses.input[1]).toEqual({ type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: 'OLD PATCH' });
    expect(responses.input[2]).toEqual({ type: 'custom_tool_call_output', call_id: 'call_p', output: 'applied' });
    const anthropic = anthropicUpstream.encodeRequest(request, target()) as any;
    expect(anthropic.tools[0].input_schema.required).toEqual(['input']);
    expect(anthropic.messages[1].content[0]).toEqual({ type: 'tool_use', id: 'call_p', name: 'apply_patch', input: { input: 'OLD PATCH' } });
  });

  it('come back to the chat client as custom calls, whole and streamed', () => {
    const canonical = anthropicUpstream.decodeResponse({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'c',
      stop_reason: 'tool_use',
      stop_sequence: null,
      content: [{ type: 'tool_use', id: 'toolu_c', name: 'apply_patch', input: { input: 'NEW PATCH' } }],
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    const whole = openAIChatClient.encodeResponse(canonical, request) as any;
    expect(whole.choices[0].message.tool_calls).toEqual([{ id: 'toolu_c', type: 'custom', custom: { name: 'apply_patch', input: 'NEW PATCH' } }]);
    const ev = (type: string, body: Record<string, unknown>) => data({ type, ...body }, type);
    const json = JSON.stringify({ input: 'NEW\nPATCH' });
    const events = relay(anthropicUpstream.createStreamDecoder(), openAIChatClient.createStreamEncoder(request), [
      ev('message_start', { message: { id: 'msg_1', model: 'c', usage: { input_tokens: 1, output_tokens: 1 } } }),
      ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_c', name: 'apply_patch', input: {} } }),
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: json.slice(0, 12) } }),
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: json.slice(12) } }),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } }),
      ev('message_stop', {}),
    ]);
    const calls = events.flatMap((e) => (typeof e.data === 'object' ? (e.data.choices?.[0]?.delta?.tool_calls ?? []) : []));
    expect(calls[0]).toEqual({ index: 0, id: 'toolu_c', type: 'custom', custom: { name: 'apply_patch', input: '' } });
    expect(
      calls
        .slice(1)
        .map((c: any) => c.custom.input)
        .join(''),
    ).toBe('NEW\nPATCH');
  });
});

describe('a whole answer assembled from a stream (relay upstreams that only stream)', () => {
  it('keeps custom calls, namespaces, signatures and encrypted reasoning', () => {
    const assembler = new ResponseAssembler();
    for (const event of [
      { type: 'start', id: 'resp_1', model: 'm', created: 1 },
      { type: 'reasoning-start', block: 0 },
      { type: 'reasoning-delta', block: 0, text: 'why' },
      { type: 'reasoning-end', block: 0, encryptedContent: ENCRYPTED_REASONING, itemId: 'rs_1' },
      { type: 'tool-call-start', block: 1, id: 'call_1', name: 'apply_patch', kind: 'custom' },
      { type: 'tool-call-delta', block: 1, argumentsDelta: 'PATCH' },
      { type: 'tool-call-end', block: 1 },
      { type: 'tool-call-start', block: 2, id: 'call_2', name: 'search', namespace: 'mcp__docs__', signature: 'sig' },
      { type: 'tool-call-end', block: 2 },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 1, outputTokens: 1 } },
    ] as const)
      assembler.push(event);
    expect(assembler.result().content).toEqual([
      { type: 'reasoning', text: 'why', encryptedContent: ENCRYPTED_REASONING, itemId: 'rs_1' },
      { type: 'tool_call', id: 'call_1', name: 'apply_patch', arguments: 'PATCH', kind: 'custom' },
      { type: 'tool_call', id: 'call_2', name: 'search', arguments: '', namespace: 'mcp__docs__', signature: 'sig' },
    ]);
  });
});

describe('the freeform input stream', () => {
  it('decodes escapes split across fragments and agrees with the whole arguments', () => {
    const input = 'line "one"\n\\tab\t\u00e9\u{1F600}';
    const json = JSON.stringify({ input });
    for (let size = 1; size <= 7; size++) {
      const stream = new CustomInputStream();
      let out = '';
      for (let i = 0; i < json.length; i += size) out += stream.push(json.slice(i, i + size));
      const { rest, input: whole } = stream.end();
      expect(out + rest).toBe(input);
      expect(whole).toBe(input);
    }
  });

  it('pretty-printed arguments stream too', () => {
    const stream = new CustomInputStream();
    let out = '';
    for (const ch of '{\n    "input" : "a\\nb"\n}') out += stream.push(ch);
    expect(out).toBe('a\nb');
    expect(stream.end()).toEqual({ rest: '', input: 'a\nb' });
  });

  it('arguments of another shape resolve at the end', () => {
    const stream = new CustomInputStream();
    expect(stream.push('{"other":1,"input":"x"}')).toBe('');
    expect(stream.end()).toEqual({ rest: 'x', input: 'x' });
  });
});

describe('reasoning signatures survive other formats', () => {
  it('Anthropic thinking and redacted_thinking go back byte for byte', () => {
    const thinking = { type: 'thinking', thinking: 'Let me think… "quoted"\n', signature: 'EqQBCkYIBRgCKkD+/==' };
    const redacted = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP' };
    const body = {
      model: 'claude',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [thinking, redacted, { type: 'tool_use', id: 'toolu_1', name: 't', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
      ],
    };
    const out = anthropicUpstream.encodeRequest(anthropicClient.decodeRequest(body), target()) as any;
    expect(out.messages[1].content.slice(0, 2)).toEqual([thinking, redacted]);
  });

  it('a Gemini thoughtSignature rides through a chat client and goes back to Gemini', () => {
    const gemini = geminiUpstream.decodeResponse({
      candidates: [
        {
          content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CtUBAdHtim9+sig/==' }] },
          finishReason: 'STOP',
        },
      ],
      usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1 },
    });
    const chatRequest = openAIChatClient.decodeRequest({
      model: 'g',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const answer = openAIChatClient.encodeResponse(gemini, chatRequest) as any;
    const call = answer.choices[0].message.tool_calls[0];
    expect(splitCallId(call.id).signature).toBe('CtUBAdHtim9+sig/==');
    const next = openAIChatClient.decodeRequest({
      ...chatRequest,
      model: 'g',
      messages: [{ role: 'user', content: 'weather?' }, answer.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const out = geminiUpstream.encodeRequest(next, target('gemini-3-pro-preview')) as any;
    expect(out.contents[1].parts[0]).toEqual({ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CtUBAdHtim9+sig/==' });
    expect(out.contents[2].parts[0]).toEqual({ functionResponse: { name: 'get_weather', response: { result: 'sunny' } } });
    // Any other upstream sees the original id.
    const chat = openAIChatUpstream.encodeRequest(next, target()) as any;
    expect(chat.messages[1].tool_calls[0].id).toBe(splitCallId(call.id).id);
    expect(chat.messages[2].tool_call_id).toBe(splitCallId(call.id).id);
  });

  it('a Gemini thoughtSignature streamed to a Messages client comes back in the tool_use id', () => {
    const request = anthropicClient.decodeRequest({ model: 'g', max_tokens: 10, messages: [{ role: 'user', content: 'q' }] });
    const events = relay(geminiUpstream.createStreamDecoder(), anthropicClient.createStreamEncoder(request), [
      data({
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'sig-stream' }] }, finishReason: 'STOP' }],
      }),
    ]);
    const start = events.find((e) => e.event === 'content_block_start')!.data.content_block;
    expect(start.type).toBe('tool_use');
    expect(splitCallId(start.id)).toEqual({ id: expect.stringMatching(/^call_/), signature: 'sig-stream' });
    expect(start.id).toMatch(/^[a-zA-Z0-9_-]+$/);
    const back = anthropicClient.decodeRequest({
      model: 'g',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'tool_use', id: start.id, name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: start.id, content: 'r' }] },
      ],
    });
    const out = geminiUpstream.encodeRequest(back, target()) as any;
    expect(out.contents[1].parts[0].thoughtSignature).toBe('sig-stream');
    expect(idWithSignature('a', undefined)).toBe('a');
  });
});

describe('Anthropic thinking through a Responses client (Codex against an Anthropic upstream)', () => {
  const tools = [{ type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } }];
  const request = openAIResponsesClient.decodeRequest({
    model: 'claude',
    input: 'list files',
    tools,
    reasoning: { effort: 'medium' },
    store: false,
    include: ['reasoning.encrypted_content'],
    stream: true,
  });

  it('the signed thinking rides in encrypted_content and comes back as the same thinking block', () => {
    const ev = (type: string, body: Record<string, unknown>) => data({ type, ...body }, type);
    const events = relay(anthropicUpstream.createStreamDecoder(), openAIResponsesClient.createStreamEncoder(request), [
      ev('message_start', { message: { id: 'msg_1', model: 'c', usage: { input_tokens: 1, output_tokens: 1 } } }),
      ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'I should run ls. ' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Then answer.' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQBCkYIBxgCKkBsig==' } }),
      ev('content_block_stop', { index: 0 }),
      ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_9', name: 'exec_command', input: {} } }),
      ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"cmd":"ls"}' } }),
      ev('content_block_stop', { index: 1 }),
      ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }),
      ev('message_stop', {}),
    ]);
    const output = events.at(-1)!.data.response.output;
    expect(output[0]).toMatchObject({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'I should run ls. Then answer.' }],
      encrypted_content: expect.stringMatching(/^gw-thinking\./),
    });
    // Codex sends the items back as it got them, with the tool output.
    const next = openAIResponsesClient.decodeRequest({
      model: 'claude',
      tools,
      reasoning: { effort: 'medium' },
      store: false,
      stream: true,
      input: [
        { role: 'user', content: 'list files' },
        { type: 'reasoning', summary: output[0].summary, encrypted_content: output[0].encrypted_content },
        { type: 'function_call', call_id: output[1].call_id, name: 'exec_command', arguments: output[1].arguments },
        { type: 'function_call_output', call_id: output[1].call_id, output: 'a.txt' },
      ],
    });
    const t = target();
    const out = anthropicUpstream.encodeRequest(next, t) as any;
    expect(out.messages[1].content[0]).toEqual({ type: 'thinking', thinking: 'I should run ls. Then answer.', signature: 'EqQBCkYIBxgCKkBsig==' });
    // No client limit: the thinking budget plus room for the answer.
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(out.max_tokens).toBe(8192 + 4096);
    expect(t.warnings).toEqual([]);
    // The packed thinking is Anthropic's: a Responses upstream never sees it.
    expect(JSON.stringify(openAIResponsesUpstream.encodeRequest(next, target()))).not.toContain('gw-thinking');
  });

  it('a tool history without signed thinking runs without thinking rather than being refused', () => {
    const chat = openAIChatClient.decodeRequest({
      model: 'claude',
      reasoning_effort: 'high',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'r' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    const t = target();
    const out = anthropicUpstream.encodeRequest({ ...chat, maxTokens: 30000 }, t) as any;
    expect(out.thinking).toBeUndefined();
    expect(t.warnings).toContain('thinking dropped (tool history without signed thinking)');
    const fresh = anthropicUpstream.encodeRequest({ ...chat, maxTokens: 30000, messages: chat.messages.slice(0, 1) }, target()) as any;
    expect(fresh.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 });
  });
});

describe('Claude Code requests', () => {
  const claudeBody = {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    stream: true,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'list files', cache_control: { type: 'ephemeral' } }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: '', signature: 'sigA' },
          { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt', cache_control: { type: 'ephemeral' } }] },
      { role: 'system', content: 'The user switched to plan mode.' },
      {
        role: 'assistant',
        content: [
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'tool_use', id: 'toolu_2', name: 'Grep', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            content: [
              { type: 'text', text: 'done' },
              { type: 'tool_reference', tool_name: 'Grep' },
            ],
          },
        ],
      },
    ],
    tools: [
      { name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
      { name: 'Grep', description: 'Search', input_schema: { type: 'object', properties: {} }, defer_loading: true, cache_control: { type: 'ephemeral' } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 5, allowed_domains: ['example.com'] },
      { type: 'web_fetch_20250910', name: 'web_fetch' },
      { type: 'code_execution_20250825', name: 'code_execution' },
      { type: 'tool_search_tool_regex_20251119', name: 'tool_search_tool_regex' },
    ],
    thinking: { type: 'adaptive' },
    output_config: { effort: 'high', format: { type: 'json_schema', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } } },
    context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
    metadata: { user_id: `{"device_id":"${'d'.repeat(64)}","account_uuid":"","session_id":"2f0c1b9e-0000-4000-8000-000000000001"}` },
    service_tier: 'standard_only',
  };

  it('decodes without refusing anything, keeping server tools and blocks opaque', () => {
    const request = anthropicClient.decodeRequest(claudeBody);
    expect(request.tools!.map((t) => t.type ?? 'function')).toEqual(['function', 'function', 'web_search', 'opaque', 'opaque', 'opaque']);
    expect(request.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'system', 'assistant', 'tool']);
    expect(request).toMatchObject({
      reasoning: { effort: 'high' },
      responseFormat: { type: 'json_schema', schema: claudeBody.output_config.format.schema },
      user: claudeBody.metadata.user_id,
      serviceTier: 'default',
      unmapped: ['context_management'],
    });
  });

  it('the Anthropic encoder gives every block, tool and cache marker back', () => {
    const out = anthropicUpstream.encodeRequest(anthropicClient.decodeRequest(claudeBody), target()) as any;
    expect(out.tools.slice(2)).toEqual(claudeBody.tools.slice(2));
    expect(out.tools[1]).toMatchObject({ name: 'Grep', defer_loading: true, cache_control: { type: 'ephemeral' } });
    // A string tool_result travels as one text block: the same content for Anthropic.
    expect(out.messages[2].content[0]).toEqual({
      type: 'tool_result',
      tool_use_id: 'toolu_1',
      content: [{ type: 'text', text: 'a.txt' }],
      cache_control: { type: 'ephemeral' },
    });
    expect(out.messages[1].content[0]).toEqual({ type: 'thinking', thinking: '', signature: 'sigA' });
    expect(out.messages.flatMap((m: any) => m.content).filter((b: any) => b.type === 'server_tool_use' || b.type === 'web_search_tool_result')).toHaveLength(2);
    expect(out.output_config).toEqual({ format: claudeBody.output_config.format });
    expect(out.service_tier).toBe('standard_only');
  });

  it('to Responses: web search mapped, structured output as text.format, server tools and blocks dropped with warnings', () => {
    const t = target();
    const out = openAIResponsesUpstream.encodeRequest(anthropicClient.decodeRequest(claudeBody), t) as any;
    expect(out.tools.map((tool: any) => tool.type)).toEqual(['function', 'function', 'web_search']);
    expect(out.tools[2]).toEqual({ type: 'web_search', filters: { allowed_domains: ['example.com'] } });
    expect(out.tools[1].defer_loading).toBeUndefined();
    expect(out.text.format).toEqual({ type: 'json_schema', name: 'output', schema: claudeBody.output_config.format.schema, strict: true });
    expect(out.reasoning).toEqual({ effort: 'high' });
    expect(out.service_tier).toBe('default');
    expect(out.input.filter((i: any) => i.role === 'developer')).toHaveLength(1);
    expect(t.warnings).toEqual(
      expect.arrayContaining([
        'tool web_fetch_20250910 dropped',
        'tool code_execution_20250825 dropped',
        'tool tool_search_tool_regex_20251119 dropped',
        'item server_tool_use dropped',
        'item web_search_tool_result dropped',
        'content tool_reference dropped',
        'field context_management dropped',
      ]),
    );
  });

  it('to chat and Gemini: structured output as their JSON-schema mechanism', () => {
    const request = anthropicClient.decodeRequest(claudeBody);
    const chat = openAIChatUpstream.encodeRequest(request, target()) as any;
    expect(chat.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema: claudeBody.output_config.format.schema, strict: true },
    });
    expect(chat.service_tier).toBe('default');
    // Claude Code's JSON user id is longer than OpenAI allows: a stable 64-character hash instead.
    expect(chat.user).toMatch(/^[0-9a-f]{64}$/);
    expect((openAIChatUpstream.encodeRequest(request, target()) as any).user).toBe(chat.user);
    const gemini = geminiUpstream.encodeRequest(request, target()) as any;
    expect(gemini.generationConfig).toMatchObject({
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
    });
  });
});

describe('warnings header', () => {
  it('is short plain ASCII, semicolon-separated', () => {
    expect(warningsHeaderValue(['tool web_search dropped', 'field a;b dropped', 'tool \u00e9t\u00e9\n dropped'])).toBe(
      'tool web_search dropped; field a,b dropped; tool ?t?? dropped',
    );
    expect(warningsHeaderValue(Array.from({ length: 500 }, (_, i) => `tool t${i} dropped`)).length).toBeLessThanOrEqual(2000);
  });
});

describe('malformed requests are still refused naming the field', () => {
  it.each([
    [{ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
    [{ model: 'm', input: 'x', tools: [{ type: 'namespace', name: 'n', tools: [{ type: 'function' }] }] }, 'tools[0].tools[0].name'],
    [{ model: 'm', input: 'x', tools: [{ type: 'custom', name: 'c', format: 'lark' }] }, 'tools[0].format'],
  ])('%j → %s', (body, param) => {
    expect(() => openAIResponsesClient.decodeRequest(body)).toThrow(expect.objectContaining({ status: 400, param }));
  });

  it('a canonical request built by hand still encodes (no type on functions)', () => {
    const r: CanonicalRequest = {
      model: 'm',
      stream: false,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      tools: [{ name: 'f', parameters: { type: 'object' } }],
    };
    expect((openAIChatUpstream.encodeRequest(r, target()) as any).tools[0].function.name).toBe('f');
  });
});
