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
