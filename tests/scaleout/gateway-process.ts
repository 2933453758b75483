// A gateway in its own process, for scale-out tests: started with the
// environment it is given, prints `READY <url>` once listening; logs (JSON)
// go to stdout as in production. SIGTERM closes it gracefully.
import { startGateway } from '../../server/app.js';
import { loadConfig } from '../../server/config/env.js';

const gateway = await startGateway(loadConfig(process.env));
process.stdout.write(`READY ${gateway.url}\n`);
process.once('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
