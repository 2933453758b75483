/**
 * Entry of the benchmark's helper processes: `serve.ts mock` (the mock
 * upstream) or `serve.ts bare` (the bare proxy, UPSTREAM=http://host:port).
 * The harness compiles it to JavaScript first, so neither runs through a loader.
 *
 * Run alone: `node --import tsx bench/serve.ts mock`.
 */
import { startBareProxy } from './bare-proxy.js';
import { serveAsChild, startMockUpstream } from './mock-upstream.js';

const role = process.argv[2];
const port = Number(process.env.PORT ?? 0);
if (role === 'mock') void serveAsChild(() => startMockUpstream(port));
else if (role === 'bare') {
  const upstream = process.env.UPSTREAM;
  if (!upstream) {
    process.stderr.write('UPSTREAM=http://host:port is required\n');
    process.exit(2);
  }
  void serveAsChild(() => startBareProxy(upstream.replace(/\/+$/, ''), port));
} else {
  process.stderr.write('usage: serve.ts mock|bare\n');
  process.exit(2);
}
