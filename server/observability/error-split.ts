import type { Db } from '../db/client.js';

/**
 * Failed requests split by who refused them. A gateway refusal never reached a provider
 * (no upstream attempt: bad key, the key's own RPM/TPM/concurrency limits, budget, a model the
 * key may not use, a bad request); a provider error had at least one upstream attempt. A client
 * that went away (499) is neither.
 */
export interface ErrorSplitRow {
  providerId: string | null;
  requests: number;
  providerErrors: number;
  gatewayRefusals: number;
}

const FAILED = { status: { gte: 400, not: 499 } };

export async function errorSplitByProvider(db: Db, from: Date, to: Date): Promise<ErrorSplitRow[]> {
  const range = { createdAt: { gte: from, lt: to } };
  const [all, upstream, refused] = await Promise.all([
    db.requestLog.groupBy({ by: ['providerId'], where: range, _count: { _all: true } }),
    db.requestLog.groupBy({ by: ['providerId'], where: { ...range, ...FAILED, attempts: { gt: 0 } }, _count: { _all: true } }),
    db.requestLog.groupBy({ by: ['providerId'], where: { ...range, ...FAILED, attempts: 0 }, _count: { _all: true } }),
  ]);
  const count = (rows: { providerId: string | null; _count: { _all: number } }[]) => new Map(rows.map((r) => [r.providerId, r._count._all]));
  const upstreamBy = count(upstream);
  const refusedBy = count(refused);
  return all.map((r) => ({
    providerId: r.providerId,
    requests: r._count._all,
    providerErrors: upstreamBy.get(r.providerId) ?? 0,
    gatewayRefusals: refusedBy.get(r.providerId) ?? 0,
  }));
}
