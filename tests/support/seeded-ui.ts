/**
 * The admin UI over request logs of known ages and costs: a gateway with one (unreachable)
 * provider, rows written straight to the request log table, and a signed-in browser on it.
 * The dashboard, logs and usage suites check every number on their pages against these rows.
 */
import type { Browser, Page } from 'playwright-core';
import { createKey, createProvider, type CreatedKey } from './admin.js';
import { assertClientBuilt, openUi } from './browser.js';
import { startTestGateway, type TestGateway } from './gateway.js';

export const SEEDED_PROVIDER = 'Mock OpenAI';

/** A virtual key with the name its rows are logged under. */
export interface SeedKey extends CreatedKey {
  name: string;
}

/** One successful chat-completions request: 10 tokens in, 5 out, 100 ms. */
export interface SeedRow {
  createdAt: Date;
  key: SeedKey;
  model: string;
  /** Defaults to $0.01. */
  costUsd?: number;
  teamId?: string | null;
}

export interface SeededUi {
  gateway: TestGateway;
  browser: Browser;
  page: Page;
  pageErrors: string[];
  close(): Promise<void>;
}

/** A virtual key for seeded rows; `input` as for createKey. */
export async function createSeedKey(gateway: TestGateway, name: string, input: Record<string, unknown> = {}): Promise<SeedKey> {
  return { ...(await createKey(gateway, { name, ...input })), name };
}

/**
 * Starts a gateway, writes the rows `seed` returns (it may create keys and teams first) and opens the
 * admin UI signed in as the bootstrap admin, light, 1366×900.
 */
export async function openSeededUi(seed: (gateway: TestGateway) => Promise<SeedRow[]>, options: { acceptDownloads?: boolean } = {}): Promise<SeededUi> {
  assertClientBuilt();
  const gateway = await startTestGateway();
  try {
    const providerId = await createProvider(gateway, { name: SEEDED_PROVIDER, type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    const rows = await seed(gateway);
    await gateway.services.db.requestLog.createMany({
      data: rows.map((row) => ({
        createdAt: row.createdAt,
        virtualKeyId: row.key.id,
        teamId: row.teamId,
        keyName: row.key.name,
        keyPrefix: row.key.key.slice(0, 12),
        clientApi: 'chat-completions',
        requestedModel: row.model,
        targetModel: row.model,
        providerId,
        providerName: SEEDED_PROVIDER,
        attempts: 1,
        status: 200,
        latencyMs: 100,
        inputTokens: 10,
        outputTokens: 5,
        costUsd: row.costUsd ?? 0.01,
      })),
    });
    const { browser, page, pageErrors } = await openUi({
      token: await gateway.adminToken(),
      viewport: { width: 1366, height: 900 },
      colorScheme: 'light',
      ...options,
    });
    return {
      gateway,
      browser,
      page,
      pageErrors,
      close: async () => {
        await browser.close();
        await gateway.stop();
      },
    };
  } catch (error) {
    await gateway.stop();
    throw error;
  }
}
