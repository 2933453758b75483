import type { Config } from '../config/env.js';
import type { Tracing } from './tracing.js';

export type { Tracing } from './tracing.js';

/**
 * Tracing when OTLP export is configured, else nothing: the SDK is imported only
 * then, so a gateway without it neither loads it nor pays for it per request.
 */
export async function startTracing(otel: Config['otel']): Promise<Tracing | undefined> {
  if (!otel) return undefined;
  const { createTracing } = await import('./sdk.js');
  return createTracing(otel);
}
