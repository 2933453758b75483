// `npm start`: builds what is missing or out of date — the admin UI on first run,
// the server (dist/server) when a source file is newer than the build; --build
// forces both — then runs the compiled server as plain JavaScript.
import { execFileSync } from 'node:child_process';
import { ensureClientBuild } from './ensure-client-build.mjs';
import { serverBuildIsStale } from './build-server.mjs';

const force = process.argv.includes('--build');
ensureClientBuild(force);
if (force || serverBuildIsStale()) {
  // In a child process, so the compiler never stays in the gateway's memory.
  execFileSync(process.execPath, [new URL('./build-server.mjs', import.meta.url).pathname], { stdio: 'inherit' });
}
await import('../dist/server/main.js');
