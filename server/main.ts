import 'dotenv/config';
import { startGateway } from './app.js';
import { ConfigError, loadConfig } from './config/env.js';
import { applyHeapGrowing } from './config/heap-growing.js';

/** Process entry point: config from the environment (and .env), signals, exit codes. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Before anything big is allocated (README "Performance" has the measured trade-off).
  applyHeapGrowing(config.heapGrowingPercent);
  const gateway = await startGateway(config);
  const { logger } = gateway.services;
  logger.info({ url: gateway.url, heapGrowingPercent: config.heapGrowingPercent }, 'gateway listening');
  process.stdout.write(`\n  LLM Gateway is running: ${gateway.url}  (admin UI at ${gateway.url}/, GraphQL at ${gateway.url}/graphql)\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await gateway.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
