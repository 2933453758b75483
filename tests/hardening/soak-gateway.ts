// A gateway in its own process for the soak test: started with the environment
// it is given (run with --expose-gc), it reports `{ ready: url }` over IPC and
// answers `{ measure: id }` with its memory after a forced full collection.
import { startGateway } from '../../server/app.js';
import { loadConfig } from '../../server/config/env.js';

const gateway = await startGateway(loadConfig(process.env));
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with --expose-gc');
process.on('message', (message: { measure?: number; stop?: boolean }) => {
  if (message.stop) {
    void gateway.close().then(() => process.exit(0));
    return;
  }
  if (message.measure === undefined) return;
  collect();
  collect();
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  process.send!({ measured: message.measure, heapUsed, rss, external, arrayBuffers });
});
process.send!({ ready: gateway.url });
