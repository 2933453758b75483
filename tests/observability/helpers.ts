import { createKey, createProviderWithModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';

export const PRICES = { inputPrice: 0.000002, outputPrice: 0.000008, cacheReadPrice: 0.0000005 };

export interface Traffic {
  gw: TestGateway;
  oai: MockUpstream;
  providerId: string;
  modelId: string;
  /** Plaintext key and id of a key without body logging. */
  key: string;
  keyId: string;
  stop(): Promise<void>;
}

/** A real gateway with one OpenAI-compatible mock provider, model `gpt-x` (priced) and one key. */
export async function startTraffic(env: Record<string, string> = {}): Promise<Traffic> {
  const gw = await startTestGateway(env);
  const oai = await startOpenAIChatMock();
  const { providerId, modelId } = await createProviderWithModel(
    gw,
    { name: 'oai', type: 'openai', baseUrl: oai.url },
    { name: 'gpt-x', upstreamModel: 'gpt-4o', ...PRICES },
  );
  const { key, id } = await createKey(gw, { name: 'app-one' });
  return {
    gw,
    oai,
    providerId,
    modelId,
    key,
    keyId: id,
    stop: async () => {
      await gw.stop();
      await oai.close();
    },
  };
}

export interface ChatResult {
  status: number;
  body: any;
  ms: number;
}

/** POST /v1/chat/completions with raw fetch. */
export async function chat(gw: TestGateway, key: string, body: Record<string, unknown>): Promise<ChatResult> {
  const started = performance.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'user-agent': 'obs-test/1.0' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* SSE or text */
  }
  return { status: res.status, body: parsed, ms: performance.now() - started };
}

export const hello = (model = 'gpt-x', text = 'hello there') => ({ model, messages: [{ role: 'user', content: text }] });

/** Runs `count` tasks with at most `concurrency` at once; results in order. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

export const LOG_FIELDS = `id createdAt keyId keyName keyPrefix clientApi requestedModel modelId targetModel providerId providerName
  attempts stream status errorClass errorMessage latencyMs ttftMs inputTokens outputTokens cachedTokens reasoningTokens costUsd clientIp userAgent`;

/** Every log row matching the filter, through the GraphQL API (cursor pages of 200). */
export async function allLogs(gw: TestGateway, filter: Record<string, unknown> = {}): Promise<any[]> {
  const rows: any[] = [];
  for (let after: string | null = null; ;) {
    const page: any = await gw.admin(
      `query($f: RequestLogFilter, $a: String){ requestLogs(filter: $f, first: 200, after: $a) { nodes { ${LOG_FIELDS} } pageInfo { hasNextPage endCursor } } }`,
      { f: filter, a: after },
    );
    rows.push(...page.requestLogs.nodes);
    if (!page.requestLogs.pageInfo.hasNextPage) return rows;
    after = page.requestLogs.pageInfo.endCursor;
  }
}
