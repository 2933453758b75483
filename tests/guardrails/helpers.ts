/**
 * Shared pieces of the guardrail suites: GraphQL for guardrails, one call per
 * client API through its official SDK, and the request log row of a call.
 */
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import type { TestGateway } from '../support/gateway.js';

export type Api = 'chat-completions' | 'responses' | 'messages';
export const APIS: Api[] = ['chat-completions', 'responses', 'messages'];

export const CREATE_GUARDRAIL = 'mutation($i: GuardrailInput!) { createGuardrail(input: $i) { id name mode stage detectors keyIds } }';

export async function createGuardrail(gw: TestGateway, input: Record<string, unknown>): Promise<string> {
  return (await gw.admin<{ createGuardrail: { id: string } }>(CREATE_GUARDRAIL, { i: input })).createGuardrail.id;
}

export interface Answer {
  text: string;
  /** Arguments of the first tool call, as the client got them (JSON text). */
  toolArguments?: string;
}

export interface Clients {
  openai: OpenAI;
  anthropic: Anthropic;
}

/** One user turn (optionally after a tool call and its result) through the API's official SDK. */
export async function ask(
  c: Clients,
  api: Api,
  model: string,
  user: string,
  options: { stream?: boolean; system?: string; toolResult?: string; tools?: boolean } = {},
): Promise<Answer> {
  const stream = options.stream ?? false;
  const tool = { name: 'send_mail', description: 'Sends a mail', parameters: { type: 'object', properties: { to: { type: 'string' } } } };
  if (api === 'chat-completions') {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      ...(options.system ? [{ role: 'system' as const, content: options.system }] : []),
      ...(options.toolResult
        ? [
            { role: 'user' as const, content: 'look it up' },
            {
              role: 'assistant' as const,
              content: null,
              tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'send_mail', arguments: '{}' } }],
            },
            { role: 'tool' as const, tool_call_id: 'call_1', content: options.toolResult },
          ]
        : []),
      { role: 'user', content: user },
    ];
    const params = { model, messages, ...(options.tools ? { tools: [{ type: 'function' as const, function: tool }] } : {}) };
    if (!stream) {
      const r = await c.openai.chat.completions.create(params);
      return {
        text: r.choices[0].message.content ?? '',
        toolArguments: r.choices[0].message.tool_calls?.[0]?.type === 'function' ? r.choices[0].message.tool_calls[0].function.arguments : undefined,
      };
    }
    let text = '';
    let args: string | undefined;
    for await (const chunk of await c.openai.chat.completions.create({ ...params, stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
      const call = chunk.choices[0]?.delta?.tool_calls?.[0];
      if (call?.function?.arguments !== undefined) args = (args ?? '') + call.function.arguments;
    }
    return { text, toolArguments: args };
  }
  if (api === 'responses') {
    const input: OpenAI.Responses.ResponseInput = [
      ...(options.toolResult
        ? [
            { role: 'user' as const, content: 'look it up' },
            { type: 'function_call' as const, call_id: 'call_1', name: 'send_mail', arguments: '{}' },
            { type: 'function_call_output' as const, call_id: 'call_1', output: options.toolResult },
          ]
        : []),
      { role: 'user', content: user },
    ];
    const params = {
      model,
      input,
      ...(options.system ? { instructions: options.system } : {}),
      ...(options.tools ? { tools: [{ type: 'function' as const, strict: false, ...tool }] } : {}),
    };
    if (!stream) {
      const r = await c.openai.responses.create(params);
      const call = r.output.find((o) => o.type === 'function_call');
      return { text: r.output_text, toolArguments: call?.type === 'function_call' ? call.arguments : undefined };
    }
    let text = '';
    let args: string | undefined;
    for await (const event of await c.openai.responses.create({ ...params, stream: true })) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.function_call_arguments.delta') args = (args ?? '') + event.delta;
    }
    return { text, toolArguments: args };
  }
  const messages: Anthropic.MessageParam[] = [
    ...(options.toolResult
      ? [
          { role: 'user' as const, content: 'look it up' },
          { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_1', name: 'send_mail', input: {} }] },
          { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_1', content: options.toolResult }] },
        ]
      : []),
    { role: 'user', content: user },
  ];
  const params = {
    model,
    max_tokens: 200,
    messages,
    ...(options.system ? { system: options.system } : {}),
    ...(options.tools ? { tools: [{ name: tool.name, description: tool.description, input_schema: tool.parameters as Anthropic.Tool.InputSchema }] } : {}),
  };
  if (!stream) {
    const r = await c.anthropic.messages.create(params);
    const call = r.content.find((b) => b.type === 'tool_use');
    return {
      text: r.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
      toolArguments: call?.type === 'tool_use' ? JSON.stringify(call.input) : undefined,
    };
  }
  let text = '';
  let args: string | undefined;
  for await (const event of c.anthropic.messages.stream(params)) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') args = (args ?? '') + event.delta.partial_json;
  }
  return { text, toolArguments: args };
}

/** The newest request log row of a key, once the batch writer has written it. */
export async function logRowOf(
  gw: TestGateway,
  keyId: string,
  after: Date,
): Promise<{ status: number; guardrails: string | null; requestBody: string | null; attempts: number }> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const row = await gw.services.db.requestLog.findFirst({ where: { virtualKeyId: keyId, createdAt: { gte: after } }, orderBy: { createdAt: 'desc' } });
    if (row) return row;
    if (Date.now() > deadline) throw new Error('no request log row');
    await new Promise((r) => setTimeout(r, 25));
  }
}
