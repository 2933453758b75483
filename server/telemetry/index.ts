import type { Config } from '../config/env.js';
import type { ProxyPlugin } from '../proxy/pipeline/plugin.js';

/** OpenTelemetry tracing of proxied requests (docs/TELEMETRY.md). */
export interface Tracing {
  /** The proxy plugin that opens the spans; first in the list, so its span covers the others. */
  plugin: ProxyPlugin;
  /** Exports every ended span now. */
  flush(): Promise<void>;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

/**
 * Tracing when OTLP export is configured, else nothing: the SDK is imported only
 * then, so a gateway without it neither loads it nor pays for it per request.
 */
export async function startTracing(otel: Config['otel']): Promise<Tracing | undefined> {
  if (!otel) return undefined;
  const { createTracing } = await import('./sdk.js');
  return createTracing(otel);
}
