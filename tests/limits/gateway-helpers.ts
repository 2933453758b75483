import { createKeyLimiter, type KeyLimiterOptions, type KeyLimits } from '../../server/limits/index.js';
import { createProviderWithModel } from '../support/admin.js';
import type { TestGateway } from '../support/gateway.js';

/** USD per token of the priced test model; the mock's default usage (12 in, 8 out) costs 0.028. */
export const INPUT_PRICE = 0.001;
export const OUTPUT_PRICE = 0.002;
export const DEFAULT_COST = 12 * INPUT_PRICE + 8 * OUTPUT_PRICE;

/** A provider on the mock plus a priced model `gpt-x`. */
export async function addPricedModel(gw: TestGateway, mockUrl: string): Promise<void> {
  await createProviderWithModel(
    gw,
    { name: 'mock', type: 'openai', baseUrl: mockUrl },
    { name: 'gpt-x', upstreamModel: 'gpt-4o', inputPrice: INPUT_PRICE, outputPrice: OUTPUT_PRICE },
  );
}

export interface KeyView {
  spendUsd: number;
  currentPeriodSpendUsd: number;
  rateLimitState: { rpmUsed: number; tpmUsed: number; inFlight: number };
}

export async function keyView(gw: TestGateway, id: string): Promise<KeyView> {
  const r = await gw.admin<{ virtualKeys: { nodes: Array<KeyView & { id: string }> } }>(
    '{ virtualKeys(first: 500) { nodes { id spendUsd currentPeriodSpendUsd rateLimitState { rpmUsed tpmUsed inFlight } } } }',
  );
  const found = r.virtualKeys.nodes.find((k) => k.id === id);
  if (!found) throw new Error(`key ${id} not listed`);
  return found;
}

export function chat(gw: TestGateway, key: string, extra: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });
}

export function messages(gw: TestGateway, key: string): Promise<Response> {
  return fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-x', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

/** Replaces the gateway's limiter by one on a test clock (handlers read services.limits per request). */
export async function useLimiter(gw: TestGateway, options: KeyLimiterOptions): Promise<KeyLimits> {
  await gw.services.limits.close();
  const limiter = createKeyLimiter(gw.services, options);
  gw.services.limits = limiter;
  return limiter;
}

/** A clock frozen 30 s into the current UTC minute (advance it by whole minutes to keep that). */
export function midMinuteClock() {
  let t = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}
