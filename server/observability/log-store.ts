import type { RequestLogRow } from './log-row.js';
import { newLogId } from './log-row.js';

/**
 * Where the batch writer puts request log rows: one implementation per
 * database (a worker thread for SQLite, Prisma for PostgreSQL).
 */
export interface LogStore {
  /** Writes the rows in one statement or transaction: all or none. */
  insert(rows: RequestLogRow[]): Promise<void>;
  /**
   * Writes a known-good row and rolls it back: true when the database takes
   * rows. Tells a row the database rejects from a database that is failing.
   */
  acceptsRows(): Promise<boolean>;
  /** Deletes up to `limit` of the oldest rows created before `cutoff` (one bounded batch); returns how many. */
  deleteBefore(cutoff: Date, limit: number): Promise<number>;
  close(): Promise<void>;
}

/** A minimal valid row, for `acceptsRows` (never committed). */
export function probeRow(): RequestLogRow {
  return {
    id: newLogId(),
    createdAt: new Date(),
    virtualKeyId: null,
    keyName: null,
    keyPrefix: null,
    clientApi: 'chat-completions',
    requestedModel: 'probe',
    modelId: null,
    targetModel: null,
    providerId: null,
    providerName: null,
    attempts: 0,
    stream: false,
    status: 200,
    errorClass: null,
    errorMessage: null,
    latencyMs: 0,
    ttftMs: null,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    injectedTokens: 0,
    costUsd: 0,
    clientIp: null,
    userAgent: null,
    requestBody: null,
    responseBody: null,
  };
}
