import type { Logger } from 'pino';
import type { Config } from '../config/env.js';
import type { RequestLogRow } from '../core/request-log-row.js';
import type { LogStore } from '../observability/log-store.js';
import { RequestLogWriter, type LogWriterOptions } from '../observability/log-writer.js';
import { S3LogSink } from './log-export-s3.js';

const SEND_TIMEOUT_MS = 10_000;

/** A status that says the sink is unwell (retry later), not that it refuses these rows. */
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * The request log's rows POSTed to an HTTP endpoint as JSON lines
 * (`application/x-ndjson`, one row per line, the same fields as the database
 * row). It is a LogStore, so the batch writer's batching, bounded buffer and
 * retries with backoff apply as they do for the database: a failing sink keeps
 * its rows and is retried; a sink refusing a batch outright (a 4xx other than
 * 408/429) has it dropped, counted and logged, so one bad batch cannot block it.
 */
export class HttpLogSink implements LogStore {
  rejectedBatches = 0;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly logger: Logger,
  ) {}

  async insert(rows: RequestLogRow[]): Promise<void> {
    const body = rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'user-agent': 'llm-gateway-log-export/0.1', ...this.headers },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const text = await res.text().catch(() => '');
    if (res.ok) return;
    if (retryable(res.status)) throw new Error(`log export: HTTP ${res.status} ${text.slice(0, 200)}`);
    this.rejectedBatches++;
    this.logger.warn({ status: res.status, rows: rows.length, reason: text.slice(0, 300) }, 'log export: the sink refused a batch; it was dropped');
  }

  /** Any failed insert is the sink failing (refusals are handled in insert): keep the rows and retry. */
  async acceptsRows(): Promise<boolean> {
    return false;
  }

  async deleteBefore(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}

export interface LogExport {
  writer: RequestLogWriter;
  close(): Promise<void>;
}

/**
 * The configured export sinks, each with a batch writer of its own fed every
 * request log row: LOG_EXPORT_HTTP_URL (JSON lines per batch) and
 * LOG_EXPORT_S3_BUCKET (one JSON-lines object per time window).
 */
export function startLogExports(config: Pick<Config, 'logExport' | 'logExportS3'>, logger: Logger, options: LogWriterOptions): LogExport[] {
  const exports: LogExport[] = [];
  const start = (store: LogStore, name: string, writerOptions: LogWriterOptions) => {
    const writer = new RequestLogWriter(store, logger.child({ sink: name }), writerOptions);
    writer.start();
    exports.push({
      writer,
      close: async () => {
        await writer.close(5_000);
        await store.close();
      },
    });
  };
  if (config.logExport) start(new HttpLogSink(config.logExport.url, config.logExport.headers, logger), 'log-export-http', options);
  if (config.logExportS3) {
    // One write per window: the window is the flush interval, and a batch holds all its rows.
    start(new S3LogSink(config.logExportS3), 'log-export-s3', { ...options, flushIntervalMs: config.logExportS3.windowMs, batchSize: options.maxBuffered });
  }
  return exports;
}
