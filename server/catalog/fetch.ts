import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { request } from '../http/undici.js';

/** The real file is about 1.4 MB; anything far larger is not the catalog. */
export const MAX_BYTES = 32 * 1024 * 1024;

export class CatalogFetchError extends Error {
  override name = 'CatalogFetchError';
}

/**
 * Downloads the catalog text. The whole exchange (connect, headers, body) must
 * finish within `timeoutMs`; `signal` aborts it early (gateway shutdown).
 * `file:` URLs read a local copy, for offline installations.
 */
export async function fetchCatalogText(url: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  if (url.startsWith('file:')) {
    try {
      return await readFile(fileURLToPath(url), 'utf8');
    } catch (error) {
      throw new CatalogFetchError(`cannot read ${url}: ${(error as Error).message}`);
    }
  }
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([deadline, signal]) : deadline;
  try {
    const res = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'llm-gateway/0.1' },
      signal: combined,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw new CatalogFetchError(`HTTP ${res.statusCode} from ${url}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BYTES) {
        res.body.destroy();
        throw new CatalogFetchError(`response larger than ${MAX_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof CatalogFetchError) throw error;
    if (deadline.aborted) throw new CatalogFetchError(`timed out after ${timeoutMs} ms fetching ${url}`);
    if (signal?.aborted) throw new CatalogFetchError('fetch aborted (shutting down)');
    throw new CatalogFetchError(`cannot fetch ${url}: ${(error as Error).message}`);
  }
}
