// The admin UI's type-aware lint reads two generated inputs that are not committed:
// SvelteKit's tsconfig (the `$lib` alias and route types, from `svelte-kit sync`) and the
// typed GraphQL documents (from codegen). Without them every `$lib` import and every
// `graphql()` result is a type that cannot be resolved, and each use of one is reported.
// `ensureClientTypes()` runs `npm run client:types` when they are missing or older than
// what they are made from, so `npx eslint client` works on a fresh checkout too.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} root the repository root */
export function ensureClientTypes(root) {
  const client = join(root, 'client');
  const stamp = join(client, '.svelte-kit', 'client-types.stamp');
  const outputs = [join(client, '.svelte-kit', 'tsconfig.json'), join(client, 'src', 'lib', 'graphql', 'generated', 'gql.ts'), stamp];
  if (outputs.every((file) => existsSync(file)) && !changedSince(root, statSync(stamp).mtimeMs)) return;
  // Quiet unless it fails: the linter's own report must stay readable (and parseable with `-f json`).
  try {
    execFileSync('npm', ['run', '--silent', 'client:types'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const output = error && typeof error === 'object' && 'stdout' in error && 'stderr' in error ? `${String(error.stdout)}${String(error.stderr)}` : '';
    throw new Error(`npm run client:types failed; the client cannot be linted without its generated types.\n${output}`, { cause: error });
  }
  writeFileSync(stamp, '');
}

/** Whether the schema, the codegen or SvelteKit config, a GraphQL document or the route tree changed since `since`. */
function changedSince(root, since) {
  const newer = (file) => statSync(file).mtimeMs > since;
  if (['schema.graphql', 'codegen.ts', 'client/svelte.config.js'].some((file) => newer(join(root, file)))) return true;
  const generated = join(root, 'client', 'src', 'lib', 'graphql', 'generated');
  const walk = (dir, inRoutes) => {
    // A file added to or removed from a route folder changes that folder's time.
    if (inRoutes && newer(dir)) return true;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== generated && walk(path, inRoutes || entry.name === 'routes')) return true;
      } else if (/\.(ts|svelte)$/.test(entry.name) && newer(path) && readFileSync(path, 'utf8').includes('graphql(')) {
        return true;
      }
    }
    return false;
  };
  return walk(join(root, 'client', 'src'), false);
}
