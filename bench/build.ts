/**
 * Compiles what the benchmark runs: the gateway's production build
 * (dist/server, as `npm start` runs it) and the helper processes
 * (bench/results/build/serve.mjs), so every process under load runs plain JavaScript.
 */
import path from 'node:path';
import { build } from 'esbuild';

export async function buildBenchProcesses(root: string): Promise<{ gatewayEntry: string; serveEntry: string }> {
  // @ts-expect-error: a plain ES module without types
  const { buildServer } = (await import('../scripts/build-server.mjs')) as { buildServer: () => Promise<void> };
  await buildServer();
  const serveEntry = path.join(root, 'bench/results/build/serve.mjs');
  await build({
    entryPoints: [path.join(root, 'bench/serve.ts')],
    outfile: serveEntry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return { gatewayEntry: path.join(root, 'dist/server/main.js'), serveEntry };
}
