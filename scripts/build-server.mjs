// Compiles the server ahead of time into dist/server/main.js (one ES module,
// packages left external), so production runs plain JavaScript without a
// TypeScript loader. The generated Prisma clients stay where they are (CommonJS
// with WebAssembly next to them) and are imported from their real location.
import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = path.join(root, 'dist/server/main.js');
const GENERATED = path.join(root, 'server/db/generated');
/** Plain JavaScript files loaded by URL next to the module that uses them (worker threads): copied beside the bundle. */
const COPIED = ['server/observability/sqlite-log-worker.cjs'];

/** Newest modification time under a folder (generated clients excluded: they are not compiled in). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== GENERATED) newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts') || entry.name.endsWith('.cjs')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** True when dist/server is missing or older than a source file. */
export function serverBuildIsStale() {
  if (!existsSync(outfile)) return true;
  return newestSource(path.join(root, 'server')) > statSync(outfile).mtimeMs;
}

/** Imports of server/db/generated/** stay imports, rewritten relative to the bundle. */
const generatedClientsExternal = (outdir) => ({
  name: 'generated-prisma-clients',
  setup(b) {
    b.onResolve({ filter: /\/generated\// }, (args) => {
      if (!args.importer || args.kind === 'entry-point') return undefined;
      const absolute = path.resolve(args.resolveDir, args.path);
      if (!absolute.startsWith(GENERATED + path.sep)) return undefined;
      // pothos-types.ts is TypeScript (imported as .js): compiled in like any source.
      if (absolute.endsWith('.ts') || existsSync(absolute.replace(/\.js$/, '.ts'))) return undefined;
      const relative = path.relative(outdir, absolute).split(path.sep).join('/');
      return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
    });
  },
});

/** Builds into dist/server, or into `outdir` (a folder inside the repository, so the packages resolve from it). */
export async function buildServer(outdir = path.dirname(outfile)) {
  const started = Date.now();
  // Loaded here, not at the top: start.mjs imports this file only for the staleness check.
  const { build } = await import('esbuild');
  // Chunks of an earlier build (their names carry a content hash) would pile up.
  if (existsSync(outdir)) for (const name of readdirSync(outdir)) if (/^lazy-/.test(name)) rmSync(path.join(outdir, name));
  await build({
    entryPoints: [path.join(root, 'server/main.ts')],
    outdir,
    entryNames: '[name]',
    // Split, so a dynamic import() stays lazy: an optional feature's packages (OpenTelemetry with
    // no OTLP endpoint, ...) are loaded when it is used, not at start (a single file hoists them).
    splitting: true,
    chunkNames: 'lazy-[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    legalComments: 'none',
    // V8 keeps each module's source text for as long as the process runs, two bytes a character
    // once one character is not ASCII (an arrow in a comment): without comments and indentation the
    // bundle's 2 MB in the heap become 0.8 MB. Names stay as written, for readable stack traces.
    minifyWhitespace: true,
    logLevel: 'warning',
    plugins: [generatedClientsExternal(outdir)],
  });
  for (const file of COPIED) copyFileSync(path.join(root, file), path.join(outdir, path.basename(file)));
  process.stdout.write(`Built the server into ${path.relative(root, path.join(outdir, 'main.js'))} in ${Date.now() - started} ms\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !serverBuildIsStale()) process.exit(0);
  await buildServer();
}
