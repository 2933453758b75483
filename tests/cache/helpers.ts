/**
 * Shared set-up of the cache suites: a gateway with priced models on real
 * loopback mock upstreams, and readers for the response cache's header and
 * log rows.
 */
import type { TestGateway } from '../support/gateway.js';
import { createModel, createProvider, UPSTREAMS, type UpstreamKind } from '../support/proxy-fixture.js';
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
