// Builds the admin UI when it has not been built yet (or when --build is given).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export function ensureClientBuild(force = false) {
  const built = ['client/build/200.html', 'client/build/index.html'].some((f) => existsSync(new URL(`../${f}`, import.meta.url)));
  if (built && !force) return;
  process.stdout.write('Building the admin UI…\n');
  execSync('npm run build:client', { cwd: root, stdio: 'inherit' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureClientBuild(process.argv.includes('--build'));
