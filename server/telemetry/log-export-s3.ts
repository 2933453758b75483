import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config/env.js';
import type { RequestLogRow } from '../core/request-log-row.js';
import type { LogStore } from '../observability/log-store.js';

type S3Settings = NonNullable<Config['logExportS3']>;

/**
 * Request log rows as JSON-lines objects in an S3-compatible bucket, one per
 * time window and instance: `<prefix>YYYY/MM/DD/<window start>_<instance>_<n>.jsonl`.
 * The batch writer in front of it flushes once per window, so each write is one
 * window's rows; a batch spanning two windows becomes two objects. A failed upload
 * keeps the rows for the writer's retry. The AWS SDK is loaded on the first upload.
 */
export class S3LogSink implements LogStore {
  private client?: S3Client;
  private seq = 0;
  /** Tells this instance's objects from another's in the same window. */
  private readonly instance = randomBytes(4).toString('hex');

  constructor(private readonly settings: S3Settings) {}

  async insert(rows: RequestLogRow[]): Promise<void> {
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const { region, endpoint, accessKeyId, secretAccessKey, bucket } = this.settings;
    this.client ??= new S3Client({
      region,
      endpoint,
      // MinIO and most S3-compatible services want path-style addressing.
      forcePathStyle: endpoint !== undefined,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    });
    for (const [windowStart, windowRows] of this.byWindow(rows)) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: this.keyFor(windowStart),
          Body: windowRows.map((row) => JSON.stringify(row)).join('\n') + '\n',
          ContentType: 'application/x-ndjson',
        }),
      );
    }
  }

  private byWindow(rows: RequestLogRow[]): Map<number, RequestLogRow[]> {
    const windows = new Map<number, RequestLogRow[]>();
    const size = this.settings.windowMs;
    for (const row of rows) {
      const start = Math.floor(new Date(row.createdAt).getTime() / size) * size;
      const list = windows.get(start);
      if (list) list.push(row);
      else windows.set(start, [row]);
    }
    return windows;
  }

  private keyFor(windowStart: number): string {
    const at = new Date(windowStart).toISOString();
    const day = at.slice(0, 10).replaceAll('-', '/');
    return `${this.settings.prefix}${day}/${at.replace(/[:.]/g, '-')}_${this.instance}_${this.seq++}.jsonl`;
  }

  /** Any failed upload is the bucket failing: keep the rows and retry. */
  async acceptsRows(): Promise<boolean> {
    return false;
  }

  async deleteBefore(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    this.client?.destroy();
  }
}
