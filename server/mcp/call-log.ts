import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { captureBody } from '../secrets/body-capture.js';
import { scrubText } from '../secrets/redactor.js';
import type { McpCallSource, McpCallStatus } from './types.js';

export interface McpCallRow {
  at: Date;
  keyId?: string;
  keyName?: string;
  serverName: string;
  tool: string;
  source: McpCallSource;
  status: McpCallStatus;
  errorMessage?: string;
  latencyMs: number;
  /** JSON text; present only when the key logs bodies. */
  arguments?: string;
  result?: string;
}

const FLUSH_MS = 500;
const MAX_BATCH = 200;
/** Rows waiting beyond this are dropped (and counted in a warning) rather than held while the database is away. */
const MAX_PENDING = 10_000;

/**
 * The batched writer of MCP tool-call rows: a call only appends to memory; one
 * multi-row insert every half second (or per 200 rows) writes them, so the
 * database is never on a tool call's path. Bodies and error messages are
 * scrubbed of every known secret before they are kept.
 */
export class McpCallLog {
  private pending: McpCallRow[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  write(row: McpCallRow): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push({
      ...row,
      ...(row.errorMessage !== undefined && { errorMessage: scrubText(row.errorMessage).slice(0, 2000) }),
      ...(row.arguments !== undefined && { arguments: captureBody(row.arguments) }),
      ...(row.result !== undefined && { result: captureBody(row.result) }),
    });
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is pending (tests and shutdown wait on it). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.writeBatches());
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async writeBatches(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        await this.db.mcpCallLog.createMany({
          data: batch.map((r) => ({
            createdAt: r.at,
            keyId: r.keyId ?? null,
            keyName: r.keyName ?? null,
            serverName: r.serverName,
            tool: r.tool,
            source: r.source,
            status: r.status,
            errorMessage: r.errorMessage ?? null,
            latencyMs: Math.round(r.latencyMs),
            arguments: r.arguments ?? null,
            result: r.result ?? null,
          })),
        });
      } catch (error) {
        this.logger.error({ err: error, rows: batch.length }, 'MCP call log: a batch could not be written');
      }
    }
    if (this.dropped) {
      this.logger.warn({ rows: this.dropped }, 'MCP call log: rows dropped while the writer was behind');
      this.dropped = 0;
    }
  }
}
