// `npm start`: builds the admin UI on first run (or with --build), then starts the
// gateway. TypeScript runs through tsx, so there is no separate server build step.
import { register } from 'tsx/esm/api';
import { ensureClientBuild } from './ensure-client-build.mjs';

ensureClientBuild(process.argv.includes('--build'));
register();
await import('../server/main.ts');
