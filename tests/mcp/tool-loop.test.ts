/**
 * The gateway-run MCP tool loop: a Responses request from the OpenAI SDK with
 * a `{"type":"mcp"}` tool, to upstreams that cannot reach MCP servers (an
 * OpenAI-compatible chat upstream and an Anthropic one, both scripted mock
 * models on loopback): the gateway lists the tools of the registered server,
 * offers them to the model in its own format, runs the call on the real MCP
 * server, feeds the result back and answers with the Responses MCP items;
 * `require_approval` returns an `mcp_approval_request` that a follow-up
 * approves; a Responses upstream still gets the mcp tool passed through.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addUpstream, createKey, openaiClient } from '../support/proxy-fixture.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../support/mock-upstreams/scripted-upstream.js';
import type { Script } from '../support/mock-upstreams/scripted-model.js';
import { startOpenAIResponsesMock } from '../support/mock-upstreams/openai-responses.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { waitFor } from '../support/wait.js';
import { grantMcp, registerMcpServer } from './support/helpers.js';
import { startTestMcpServer, type TestMcpServer } from './support/mcp-server.js';

/** A model that looks the answer up with the docs tool, then answers from the tool's result. */
const script: Script = (view) => {
  if (view.lastToolResult) return { kind: 'text', text: `Answer: ${view.lastToolResult}` };
  const tool = view.tools.find((t) => t.name === 'docs__lookup');
  if (tool) return { kind: 'tool_call', tool, arguments: { query: 'capital of France' }, id: `call_${Math.random().toString(36).slice(2, 10)}` };
  return { kind: 'text', text: 'I have no tool to look that up.' };
};

let gw: TestGateway;
let mcp: TestMcpServer;
let openai: OpenAI;
const upstreams = {} as Record<'openai-chat' | 'anthropic', ScriptedUpstream>;
let responsesMock: MockUpstream;
let loopRows = 0;
const MCP_TOOL = { type: 'mcp' as const, server_label: 'docs', server_url: 'https://mcp.example.com/ignored' };

beforeAll(async () => {
  mcp = await startTestMcpServer();
  gw = await startTestGateway();
  const serverId = await registerMcpServer(gw, { name: 'docs', url: `${mcp.url}/mcp`, timeoutMs: 5000 });
  for (const kind of ['openai-chat', 'anthropic'] as const) {
    upstreams[kind] = await startScriptedUpstream(kind, { script });
    await addUpstream(gw, kind, { mock: upstreams[kind] });
  }
  responsesMock = await startOpenAIResponsesMock();
  await addUpstream(gw, 'openai-responses', { mock: responsesMock });
  const key = await createKey(gw, { logBodies: true });
  await grantMcp(gw, key.id, [{ serverId }]);
  openai = openaiClient(gw, key.key);
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mcp?.close();
  await Promise.all(Object.values(upstreams).map((u) => u.close()));
  await responsesMock?.close();
});

describe.each(['openai-chat', 'anthropic'] as const)('tool loop to %s', (kind) => {
  test('a question that needs the tool is answered from its result', async () => {
    const before = upstreams[kind].generations().length;
    const calls = mcp.calls.length;
    const response = await openai.responses.create({
      model: `m-${kind}`,
      input: 'What is the capital of France? Use the docs tool.',
      tools: [{ ...MCP_TOOL, require_approval: 'never' }],
    });
    expect(response.output_text).toBe('Answer: Paris is the capital of France (looked up: capital of France)');
    const [list, call, message] = response.output;
    expect(list).toMatchObject({ type: 'mcp_list_tools', server_label: 'docs' });
    expect((list as { tools: Array<{ name: string }> }).tools.map((t) => t.name).sort()).toEqual(['fail', 'lookup', 'slow']);
    expect(call).toMatchObject({ type: 'mcp_call', server_label: 'docs', name: 'lookup', arguments: '{"query":"capital of France"}', error: null });
    expect((call as { output: string }).output).toContain('Paris');
    expect(message.type).toBe('message');
    // Two model rounds upstream, one real tool call on the MCP server.
    const sent = upstreams[kind].generations().slice(before);
    expect(sent.length).toBe(2);
    expect(JSON.stringify(sent[0].body.tools)).toContain('docs__lookup');
    expect(mcp.calls.slice(calls)).toEqual([{ name: 'lookup', args: { query: 'capital of France' } }]);
    // The loop's call is logged like any other, with its source.
    const rows = await waitFor(async () => {
      const found = await gw.services.db.mcpCallLog.findMany({ where: { source: 'loop' }, orderBy: { createdAt: 'asc' } });
      return found.length > loopRows && found;
    });
    loopRows = rows.length;
    expect(rows.at(-1)).toMatchObject({ serverName: 'docs', tool: 'lookup', status: 'ok', arguments: '{"query":"capital of France"}' });
  });

  test('allowed_tools limits what the model is offered', async () => {
    const before = upstreams[kind].generations().length;
    const response = await openai.responses.create({
      model: `m-${kind}`,
      input: 'What is the capital of France?',
      tools: [{ ...MCP_TOOL, allowed_tools: ['slow'], require_approval: 'never' }],
    });
    expect(response.output_text).toBe('I have no tool to look that up.');
    const sent = upstreams[kind].generations().slice(before);
    expect(JSON.stringify(sent[0].body.tools)).not.toContain('docs__lookup');
    expect(JSON.stringify(sent[0].body.tools)).toContain('docs__slow');
  });

  test('require_approval: the call comes back as an mcp_approval_request; approving it runs it', async () => {
    const calls = mcp.calls.length;
    const first = await openai.responses.create({ model: `m-${kind}`, input: 'What is the capital of France?', tools: [MCP_TOOL] });
    const request = first.output.find((item) => item.type === 'mcp_approval_request');
    expect(request).toMatchObject({ type: 'mcp_approval_request', server_label: 'docs', name: 'lookup', arguments: '{"query":"capital of France"}' });
    expect(mcp.calls.length).toBe(calls);
    const second = await openai.responses.create({
      model: `m-${kind}`,
      tools: [MCP_TOOL],
      input: [
        { role: 'user', content: 'What is the capital of France?' },
        request as OpenAI.Responses.ResponseInputItem,
        { type: 'mcp_approval_response', approve: true, approval_request_id: (request as { id: string }).id },
      ],
    });
    expect(second.output_text).toContain('Answer: Paris is the capital of France');
    expect(second.output.find((item) => item.type === 'mcp_call')).toMatchObject({ name: 'lookup', approval_request_id: (request as { id: string }).id });
    expect(mcp.calls.length).toBe(calls + 1);
  });

  test('a streamed request gets the final answer as a stream', async () => {
    const stream = await openai.responses.create({
      model: `m-${kind}`,
      input: 'What is the capital of France?',
      tools: [{ ...MCP_TOOL, require_approval: 'never' }],
      stream: true,
    });
    let text = '';
    let completed = false;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = true;
    }
    expect(completed).toBe(true);
    expect(text).toBe('Answer: Paris is the capital of France (looked up: capital of France)');
  });
});

describe('refusals and pass-through', () => {
  test('a server label that is not registered is refused in the Responses error format', async () => {
    const error = await openai.responses
      .create({
        model: 'm-openai-chat',
        input: 'hi',
        tools: [{ type: 'mcp', server_label: 'elsewhere', server_url: 'https://evil.example.com/mcp', require_approval: 'never' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('"elsewhere" is not registered');
  });

  test('a Responses upstream gets the mcp tool passed through, untouched', async () => {
    await openai.responses.create({ model: 'm-openai-responses', input: 'hi', tools: [{ ...MCP_TOOL, require_approval: 'never' }] });
    const body = responsesMock.requests.at(-1)!.body as { tools: unknown[] };
    expect(body.tools).toEqual([{ ...MCP_TOOL, require_approval: 'never' }]);
  });
});
