/**
 * Shared set-up of the cache suites: a gateway with priced models on real
 * loopback mock upstreams, and readers for the response cache's header and
 * log rows.
 */
import { createVirtualModel } from '../support/admin.js';
import type { TestGateway } from '../support/gateway.js';
import { createModel, createProvider, startCustomUpstream, UPSTREAMS, type CustomUpstream, type UpstreamKind } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';

/** USD per token of the suites' models: 12 input + 8 output tokens (the mocks' usage) cost 1e-3 * 12 + 2e-3 * 8. */
export const PRICES = { inputPrice: 0.001, outputPrice: 0.002 };
export const MOCK_COST = 12 * PRICES.inputPrice + 8 * PRICES.outputPrice;

export async function addPricedUpstream(
  gw: TestGateway,
  kind: UpstreamKind,
  model = `m-${kind}`,
): Promise<{ mock: MockUpstream; modelId: string; providerId: string }> {
  const spec = UPSTREAMS[kind];
  const mock = await spec.start();
  const providerId = await createProvider(gw, {
    name: `p-${kind}-${model}`,
    type: spec.providerType,
    baseUrl: mock.url,
    ...(spec.options ? { options: spec.options } : {}),
  });
  const modelId = await createModel(gw, providerId, model, spec.upstreamModel, PRICES);
  return { mock, modelId, providerId };
}

export interface LogRow {
  requestedModel: string | null;
  clientApi: string;
  status: number;
  cache: string | null;
  cacheKey: string | null;
  costUsd: number;
  costSavedUsd: number;
  inputTokens: number;
  outputTokens: number;
}

/** The key's log rows, oldest first, once the writer has flushed. */
export async function logRows(gw: TestGateway, keyId: string): Promise<LogRow[]> {
  await gw.services.requestLogs.flush();
  return await gw.services.db.requestLog.findMany({ where: { virtualKeyId: keyId }, orderBy: { id: 'asc' } });
}

export const userTurn = (text: string) => [{ role: 'user' as const, content: text }];

/** Words that carry no meaning here, so paraphrases embed alike. */
const STOP = new Set(['what', 'is', 'the', 'of', 'tell', 'me', 'please', 'a', 'an', 'you', 'can', 'which']);
const VOCABULARY: string[] = [];

/** One dimension per content word ever seen (stable across calls and gateways), counts normalised by the gateway. */
function bagOfWords(text: string): number[] {
  const words =
    text
      .toLowerCase()
      .match(/[a-z]+/g)
      ?.filter((w) => !STOP.has(w)) ?? [];
  for (const w of words) if (!VOCABULARY.includes(w)) VOCABULARY.push(w);
  const v = new Array<number>(64).fill(0);
  for (const w of words) v[VOCABULARY.indexOf(w)] += 1;
  return v;
}

/** A loopback OpenAI-compatible `/embeddings` upstream with a deterministic bag-of-words embedding. */
export function startBagOfWordsEmbedder(): Promise<CustomUpstream> {
  return startCustomUpstream((_req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        model: body.model,
        data: [{ object: 'embedding', index: 0, embedding: bagOfWords(String(body.input)) }],
        usage: { prompt_tokens: 7, total_tokens: 7 },
      }),
    );
  });
}

/** The embedding model `embedder` on that upstream and a virtual model over `modelId` with the semantic cache on (threshold 0.95). */
export async function addSemanticVirtualModel(gw: TestGateway, embedder: CustomUpstream, modelId: string, name = 'semantic-vm'): Promise<string> {
  const providerId = await createProvider(gw, { name: 'embeddings', type: 'openai', baseUrl: `${embedder.url}/v1` });
  await createModel(gw, providerId, 'embedder', 'bag-of-words', { mode: 'embedding', inputPrice: 0.0001 });
  const vmId = await createVirtualModel(gw, { name, strategy: 'FAILOVER', targets: [{ modelId }] });
  await gw.admin('mutation($id: ID!, $i: CacheSettingsInput) { setVirtualModelCache(id: $id, input: $i) { id } }', {
    id: vmId,
    i: { enabled: true, semantic: { enabled: true, embeddingModel: 'embedder', threshold: 0.95 } },
  });
  return vmId;
}
