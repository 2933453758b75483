import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/client.js';
import { startTestGateway } from '../support/gateway.js';
import { allLogs, chat, hello, pool, startTraffic } from './helpers.js';

describe('batched log writes', () => {
  it('logs all of a 2,000-request burst in far fewer than 2,000 database writes', async () => {
    // No interval flushes during the burst: only full batches are written.
    const t = await startTraffic({ REQUEST_LOG_FLUSH_MS: '3600000', REQUEST_LOG_BATCH_SIZE: '200' });
    try {
      const writer = t.gw.services.requestLogs;
      const before = { ...writer.stats };
      const results = await pool(2000, 50, () => chat(t.gw, t.key, hello('gpt-x', 'burst')));
      expect(results.filter((r) => r.status === 200)).toHaveLength(2000);
      await writer.flush();

      expect(await allLogs(t.gw, { keyId: t.keyId })).toHaveLength(2000);
      const writes = writer.stats.flushes - before.flushes;
      expect(writer.stats.rowsWritten - before.rowsWritten).toBe(2000);
      expect(writes).toBeGreaterThan(0);
      expect(writes).toBeLessThanOrEqual(2000 / 200 + 5);
      expect(writer.stats.dropped).toBe(0);
      expect(writer.depth).toBe(0);
    } finally {
      await t.stop();
    }
  }, 120_000);

  it('answers requests before anything is written, and graceful shutdown writes the buffer', async () => {
    // Batches larger than the traffic and no interval: nothing can be written while requests run.
    const t = await startTraffic({ REQUEST_LOG_FLUSH_MS: '3600000', REQUEST_LOG_BATCH_SIZE: '100000', REQUEST_LOG_BUFFER_MAX: '100000' });
    const dataDir = t.gw.dataDir;
    let stopped = false;
    try {
      const writer = t.gw.services.requestLogs;
      const results = await pool(300, 30, () => chat(t.gw, t.key, hello('gpt-x', 'held in memory')));
      expect(results.every((r) => r.status === 200)).toBe(true);
      // Every request completed with its row still only in memory: no request waited for a write.
      expect(await t.gw.services.db.requestLog.count()).toBe(0);
      expect(writer.depth).toBe(300);
      expect(writer.stats.flushes).toBe(0);

      await t.gw.close(); // graceful: flushes what is buffered
      stopped = true;
      expect(writer.depth).toBe(0);
      expect(writer.stats.flushes).toBe(1);

      const db = await openDatabase({ kind: 'sqlite', location: `${dataDir}/gateway.db` });
      try {
        expect(await db.requestLog.count({ where: { virtualKeyId: t.keyId, status: 200 } })).toBe(300);
      } finally {
        await db.$disconnect();
      }
      // The data survives a restart on the same directory.
      const again = await startTestGateway({}, dataDir);
      try {
        expect(await allLogs(again)).toHaveLength(300);
      } finally {
        await again.close();
      }
    } finally {
      if (!stopped) await t.gw.close();
      await t.oai.close();
      const { rmSync } = await import('node:fs');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
