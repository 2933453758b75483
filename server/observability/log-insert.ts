import type { Db, DbKind } from '../db/client.js';
import type { RequestLogRow } from './log-row.js';

/** Columns of a request log row, in insert order (every field toLogRow sets). */
const COLUMNS = [
  'id', 'createdAt', 'virtualKeyId', 'keyName', 'keyPrefix', 'clientApi', 'requestedModel', 'modelId', 'targetModel',
  'providerId', 'providerName', 'attempts', 'stream', 'status', 'errorClass', 'errorMessage', 'latencyMs', 'ttftMs',
  'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens', 'injectedTokens', 'costUsd', 'clientIp', 'userAgent',
  'rulesApplied', 'requestBody', 'responseBody',
] as const satisfies ReadonlyArray<keyof RequestLogRow>;

const COLUMN_LIST = COLUMNS.map((c) => `"${c}"`).join(', ');

/**
 * Writes a batch of log rows as one multi-row INSERT. Prisma's createMany
 * spends most of a batch's time building the query per row (measured ~9× slower
 * for 200 rows on SQLite); one parameterised statement through the same client
 * and driver adapter keeps the batch writer cheap on the event loop.
 */
export function logInserter(db: Db, kind: DbKind): (rows: RequestLogRow[]) => Promise<void> {
  return async (rows) => {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    const placeholder = kind === 'postgres' ? () => `$${params.length}` : () => '?';
    const tuples = rows.map((row) => {
      const slots = COLUMNS.map((column) => {
        const value = row[column];
        params.push(column === 'rulesApplied' ? (value == null ? null : JSON.stringify(value)) : (value ?? null));
        return column === 'rulesApplied' && kind === 'postgres' ? `${placeholder()}::jsonb` : placeholder();
      });
      return `(${slots.join(', ')})`;
    });
    await db.$executeRawUnsafe(`INSERT INTO "RequestLog" (${COLUMN_LIST}) VALUES ${tuples.join(', ')}`, ...params);
  };
}
