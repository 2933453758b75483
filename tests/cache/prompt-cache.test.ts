/**
 * Provider prompt caching on Anthropic upstreams: a client's own
 * cache_control reaches the upstream as sent; a model with auto prompt cache
 * gets breakpoints (last tool, system, last two user turns; at most four) for
 * clients that send none, from every client format; cache-read tokens are
 * recorded and priced at the model's cache-read price.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { autoBreakpoints, hasCacheControl, MAX_BREAKPOINTS } from '../../server/cache/prompt-cache.js';
import { createBedrockProvider, createKey } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { anthropicClient, createModel, createProvider, openaiClient, startCustomUpstream, UPSTREAMS } from '../support/proxy-fixture.js';
import { startBedrockAnthropicMock, type BedrockAnthropicMock } from '../bedrock/anthropic-invoke-mock.js';

let gw: TestGateway;
let anthropic: MockUpstream;
let bedrock: BedrockAnthropicMock;
let key: { key: string; id: string };
const EPHEMERAL = { type: 'ephemeral' };

beforeAll(async () => {
  gw = await startTestGateway();
  anthropic = await UPSTREAMS.anthropic.start();
  const providerId = await createProvider(gw, { name: 'anthropic', type: 'anthropic', baseUrl: anthropic.url });
  await createModel(gw, providerId, 'claude-plain', 'claude-sonnet-4-5-20250929');
  const auto = await createModel(gw, providerId, 'claude-auto', 'claude-sonnet-4-5-20250929', {
    inputPrice: 0.001,
    outputPrice: 0.002,
    cacheReadPrice: 0.0001,
  });
  await gw.admin('mutation($id: ID!) { setModelAutoPromptCache(id: $id, enabled: true) { id autoPromptCache } }', { id: auto });
  bedrock = await startBedrockAnthropicMock();
  const bedrockId = await createBedrockProvider(gw, { name: 'bedrock-claude', type: 'bedrock-anthropic', baseUrl: bedrock.url });
  const onBedrock = await createModel(gw, bedrockId, 'claude-bedrock-auto', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  await gw.admin('mutation($id: ID!) { setModelAutoPromptCache(id: $id, enabled: true) { id autoPromptCache } }', { id: onBedrock });
  key = await createKey(gw);
});

afterAll(async () => {
  await gw?.stop();
  await anthropic?.close();
  await bedrock?.close();
});

const sent = () => anthropic.requests.at(-1)!.body;
/** Every cache_control in a Messages body, by where it stands. */
function breakpoints(body: any): string[] {
  const at: string[] = [];
  (body.tools ?? []).forEach((t: any, i: number) => t.cache_control && at.push(`tools[${i}]`));
  if (Array.isArray(body.system)) body.system.forEach((b: any, i: number) => b.cache_control && at.push(`system[${i}]`));
  body.messages.forEach(
    (m: any, i: number) => Array.isArray(m.content) && m.content.forEach((b: any, j: number) => b.cache_control && at.push(`messages[${i}].content[${j}]`)),
  );
  return at;
}

const conversation = [
  { role: 'user' as const, content: 'first question' },
  { role: 'assistant' as const, content: 'first answer' },
  { role: 'user' as const, content: 'second question' },
  { role: 'assistant' as const, content: 'second answer' },
  { role: 'user' as const, content: 'third question' },
];

describe("a client's own cache_control", () => {
  test('reaches the Anthropic upstream as sent, and no breakpoint is added to it', async () => {
    const client = anthropicClient(gw, key.key);
    for (const model of ['claude-plain', 'claude-auto']) {
      await client.messages.create({
        model,
        max_tokens: 20,
        system: [{ type: 'text', text: 'A long system prompt.', cache_control: { type: 'ephemeral', ttl: '1h' } as never }],
        messages: conversation,
      });
      expect(sent().system).toEqual([{ type: 'text', text: 'A long system prompt.', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
      expect(breakpoints(sent())).toEqual(['system[0]']);
    }
  });
});

describe('auto prompt cache', () => {
  const tool = { name: 'lookup', description: 'Looks up', input_schema: { type: 'object' as const, properties: {} } };

  test('Messages client: last tool, system, and the last two user turns', async () => {
    await anthropicClient(gw, key.key).messages.create({
      model: 'claude-auto',
      max_tokens: 20,
      system: 'Be brief.',
      tools: [tool, { ...tool, name: 'other' }],
      messages: conversation,
    });
    expect(breakpoints(sent())).toEqual(['tools[1]', 'system[0]', 'messages[2].content[0]', 'messages[4].content[0]']);
    expect(sent().system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: EPHEMERAL }]);
    expect(sent().messages[4].content).toEqual([{ type: 'text', text: 'third question', cache_control: EPHEMERAL }]);
  });

  test('Chat Completions and Responses clients get the same breakpoints on the translated body', async () => {
    await openaiClient(gw, key.key).chat.completions.create({ model: 'claude-auto', messages: [{ role: 'system', content: 'Be brief.' }, ...conversation] });
    expect(breakpoints(sent())).toEqual(['system[0]', 'messages[2].content[0]', 'messages[4].content[0]']);
    await openaiClient(gw, key.key).responses.create({ model: 'claude-auto', instructions: 'Be brief.', input: 'one question' });
    expect(breakpoints(sent())).toEqual(['system[0]', 'messages[0].content[0]']);
  });

  test('Claude on Bedrock (InvokeModel) gets them in the Anthropic body it is sent', async () => {
    await openaiClient(gw, key.key).chat.completions.create({
      model: 'claude-bedrock-auto',
      messages: [{ role: 'system', content: 'Be brief.' }, ...conversation],
    });
    const body = bedrock.requests.at(-1)!.body;
    expect(body.anthropic_version).toBe('bedrock-2023-05-31');
    expect(breakpoints(body)).toEqual(['system[0]', 'messages[2].content[0]', 'messages[4].content[0]']);
  });

  test('a model without it gets none', async () => {
    await anthropicClient(gw, key.key).messages.create({ model: 'claude-plain', max_tokens: 20, system: 'Be brief.', messages: conversation });
    expect(breakpoints(sent())).toEqual([]);
  });

  test('cache-read tokens are recorded and priced at the cache-read price', async () => {
    const own = await createKey(gw);
    anthropic.setUsage({ input: 1000, output: 10, cached: 900 });
    try {
      await anthropicClient(gw, own.key).messages.create({ model: 'claude-auto', max_tokens: 20, system: 'Be brief.', messages: conversation });
    } finally {
      anthropic.setUsage({ input: 12, output: 8 });
    }
    await gw.services.requestLogs.flush();
    const [row] = await gw.services.db.requestLog.findMany({ where: { virtualKeyId: own.id } });
    expect(row).toMatchObject({ inputTokens: 1000, cachedTokens: 900, outputTokens: 10 });
    expect(row.costUsd).toBeCloseTo(100 * 0.001 + 900 * 0.0001 + 10 * 0.002, 10);
  });
});

describe('cache writes', () => {
  test('are recorded per request and priced at the cache-write price', async () => {
    // An Anthropic upstream that reports a cache write, as the first request with a new prefix does.
    const upstream = await startCustomUpstream((_req, body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'msg_w1',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [{ type: 'text', text: 'written' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 10, cache_creation_input_tokens: 500, cache_read_input_tokens: 0, output_tokens: 5 },
        }),
      );
    });
    try {
      const providerId = await createProvider(gw, { name: 'anthropic-writes', type: 'anthropic', baseUrl: upstream.url });
      await createModel(gw, providerId, 'claude-writes', 'claude-sonnet-4-5-20250929', { inputPrice: 0.001, outputPrice: 0.002, cacheWritePrice: 0.00125 });
      const own = await createKey(gw);
      await anthropicClient(gw, own.key).messages.create({ model: 'claude-writes', max_tokens: 20, messages: conversation });
      await gw.services.requestLogs.flush();
      const [row] = await gw.services.db.requestLog.findMany({ where: { virtualKeyId: own.id } });
      expect(row).toMatchObject({ inputTokens: 510, cacheWriteTokens: 500, cachedTokens: 0, outputTokens: 5 });
      expect(row.costUsd).toBeCloseTo(10 * 0.001 + 500 * 0.00125 + 5 * 0.002, 10);
    } finally {
      await upstream.close();
    }
  });
});

describe('autoBreakpoints', () => {
  test('never more than four, and never on thinking blocks; the input is left as it was', () => {
    const body = {
      system: [{ type: 'text', text: 'a' }],
      tools: [{ name: 't' }],
      messages: [
        { role: 'user', content: 'u1' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'x', signature: 's' }] },
        { role: 'user', content: [{ type: 'text', text: 'u2' }] },
        { role: 'user', content: [{ type: 'text', text: 'u3' }] },
      ],
    };
    const copy = structuredClone(body);
    const changed = autoBreakpoints(body)!;
    expect(body).toEqual(copy);
    const merged = { ...body, ...changed };
    expect(breakpoints(merged).length).toBeLessThanOrEqual(MAX_BREAKPOINTS);
    expect(breakpoints(merged)).toEqual(['tools[0]', 'system[0]', 'messages[2].content[0]', 'messages[3].content[0]']);
    expect(hasCacheControl(merged)).toBe(true);
    expect(hasCacheControl(body)).toBe(false);
  });
});
