// `npm run config:schema`: writes the JSON Schema of the configuration file
// (docs/gateway-config.schema.json) from its zod schema; a test checks it is current.
import { writeFileSync } from 'node:fs';
import { gatewayConfigJsonSchema } from '../server/config-as-code/schema.js';

const target = new URL('../docs/gateway-config.schema.json', import.meta.url);
writeFileSync(target, JSON.stringify(gatewayConfigJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${target.pathname}\n`);
