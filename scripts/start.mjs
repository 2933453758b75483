// `npm start`: builds the admin UI on first run (or when asked with --build),
// then starts the gateway. TypeScript runs through tsx, so there is no separate
// server build step.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = ['client/build/200.html', 'client/build/index.html'].some((f) => existsSync(new URL(`../${f}`, import.meta.url)));
if (!built || process.argv.includes('--build')) {
  process.stdout.write('Building the admin UI (first start only)…\n');
  execSync('npm run build:client', { cwd: root, stdio: 'inherit' });
}
register();
await import('../server/main.ts');
