import { postgresUnavailable, PG_ADMIN_URL } from './postgres.js';
import { redisUnavailable, REDIS_URL } from '../limits/support.js';

/**
 * Whether a suite needing PostgreSQL and/or Redis must skip: prints one line
 * saying why. In CI (CI=true) an unreachable service fails the run instead.
 */
export async function skipUnlessServices(suite: string, needs: { postgres?: boolean; redis?: boolean }): Promise<boolean> {
  const problems: string[] = [];
  if (needs.postgres) {
    const why = await postgresUnavailable();
    if (why) problems.push(`PostgreSQL at ${PG_ADMIN_URL} (${why})`);
  }
  if (needs.redis) {
    const why = await redisUnavailable();
    if (why) problems.push(`Redis at ${REDIS_URL} (${why})`);
  }
  if (!problems.length) return false;
  const line = `${suite} skipped: cannot reach ${problems.join(' and ')}`;
  if (process.env.CI === 'true') throw new Error(`${line}; CI requires these services`);
  console.log(line);
  return true;
}
