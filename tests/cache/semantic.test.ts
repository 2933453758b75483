/**
 * The semantic cache through a real gateway: a virtual model embeds the
 * system prompt and last user turn with an embedding model configured in the
 * gateway (a loopback upstream with a deterministic bag-of-words embedding),
 * and serves the nearest cached answer at or above its threshold.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { openaiClient, PNG_DATA_URL, type CustomUpstream } from '../support/proxy-fixture.js';
import { addPricedUpstream, addSemanticVirtualModel, logRows, startBagOfWordsEmbedder } from './helpers.js';

let gw: TestGateway;
let chat: MockUpstream;
let embedder: CustomUpstream;
let key: { key: string; id: string };

beforeAll(async () => {
  gw = await startTestGateway();
  let modelId: string;
  ({ mock: chat, modelId } = await addPricedUpstream(gw, 'openai-chat'));
  embedder = await startBagOfWordsEmbedder();
  await addSemanticVirtualModel(gw, embedder, modelId);
  key = await createKey(gw);
});

afterAll(async () => {
  await gw?.stop();
  await chat?.close();
  await embedder?.close();
});

const system = { role: 'system' as const, content: 'You answer geography questions in one sentence.' };

async function ask(messages: any[], extra: Record<string, unknown> = {}, apiKey = key.key) {
  const calls = { upstream: chat.requests.length, embeddings: embedder.requests.length };
  const { data, response } = await openaiClient(gw, apiKey)
    .chat.completions.create({ model: 'semantic-vm', messages, ...extra } as never)
    .withResponse();
  await gw.services.caches.responses.settled();
  return {
    text: (data as { choices: Array<{ message: { content: string } }> }).choices[0].message.content,
    cache: response.headers.get('x-gateway-cache'),
    upstream: chat.requests.length - calls.upstream,
    embeddings: embedder.requests.length - calls.embeddings,
  };
}

describe('semantic hits', () => {
  test('a paraphrase above the threshold is served the cached answer; a different question below it is not', async () => {
    const first = await ask([system, { role: 'user', content: 'What is the capital of France?' }]);
    expect(first).toMatchObject({ cache: 'miss', upstream: 1, embeddings: 1 });
    const paraphrase = await ask([system, { role: 'user', content: 'Tell me the capital of France, please.' }]);
    expect(paraphrase).toEqual({ text: first.text, cache: 'hit', upstream: 0, embeddings: 1 });
    // Shares "capital" only: cosine 0.5, below 0.95.
    const other = await ask([system, { role: 'user', content: 'What is the capital of Spain?' }]);
    expect(other).toMatchObject({ cache: 'miss', upstream: 1 });
    expect(other.text).not.toBe(first.text);
  });

  test('the system prompt is part of what is compared', async () => {
    await ask([system, { role: 'user', content: 'Which river crosses Paris?' }]);
    const otherSystem = await ask([
      { role: 'system', content: 'Answer in French, with poetry.' },
      { role: 'user', content: 'Tell me which river crosses Paris.' },
    ]);
    expect(otherSystem).toMatchObject({ cache: 'miss', upstream: 1 });
  });

  test("another key does not get this key's answers", async () => {
    const other = await createKey(gw);
    const answer = await ask([system, { role: 'user', content: 'Tell me the capital of France!' }], {}, other.key);
    expect(answer).toMatchObject({ cache: 'miss', upstream: 1 });
  });

  test('requests with tools or images are never served semantically (and are not embedded)', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    await ask([system, { role: 'user', content: 'What is the capital of Italy?' }], { tools });
    const withTools = await ask([system, { role: 'user', content: 'Tell me the capital of Italy.' }], { tools });
    expect(withTools).toMatchObject({ cache: 'miss', upstream: 1, embeddings: 0 });
    const image = (text: string) => [
      system,
      {
        role: 'user',
        content: [
          { type: 'text', text },
          { type: 'image_url', image_url: { url: PNG_DATA_URL } },
        ],
      },
    ];
    await ask(image('What is the capital of Peru?'));
    expect(await ask(image('Tell me the capital of Peru.'))).toMatchObject({ cache: 'miss', upstream: 1, embeddings: 0 });
    // Exact repeats are still hits.
    expect(await ask(image('Tell me the capital of Peru.'))).toMatchObject({ cache: 'hit', upstream: 0 });
  });

  test('each embedding call has a log row of its own, with its cost', async () => {
    const rows = (await logRows(gw, key.id)).filter((r) => r.clientApi === 'embeddings');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ requestedModel: 'embedder', status: 200, inputTokens: 7 });
    expect(rows[0].costUsd).toBeCloseTo(0.0007, 10);
  });
});
