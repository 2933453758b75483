#!/usr/bin/env node
// `npx llm-gateway …`: the package's command line. The commands are TypeScript
// sources run through tsx (a dependency), so they work right after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/config-as-code/cli.ts');
process.exitCode = await main(process.argv.slice(2));
