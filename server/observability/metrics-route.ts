import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from '../http/router.js';
import { scrubText } from '../secrets/redactor.js';
import type { GatewayMetrics } from './metrics.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** True when the request carries `Authorization: Bearer <token>` (constant-time compare). */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !/^Bearer /i.test(header)) return false;
  // Hashing first gives equal lengths, so timingSafeEqual never leaks the length.
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token));
}

/**
 * GET /metrics: Prometheus text exposition; with a token set, only for
 * `Authorization: Bearer <token>`. In production without a token the endpoint
 * is off (404), so a forgotten METRICS_TOKEN never opens it to the network.
 */
export function metricsHandler(metrics: GatewayMetrics, token: string | undefined, beforeScrape: () => void, production = false): Handler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (!token && production) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found: /metrics is off in production until METRICS_TOKEN is set\n');
      return;
    }
    if (token && !hasBearer(req, token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' });
      res.end('Unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    beforeScrape();
    // Label values come from configuration and requests; scrubbed like any text that leaves.
    const body = scrubText(await metrics.registry.metrics());
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  };
}
