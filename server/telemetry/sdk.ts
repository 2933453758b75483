import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Config } from '../config/env.js';
import type { Tracing } from './tracing.js';
import { useTracing } from './request-span.js';

/**
 * The OpenTelemetry SDK, built from the OTLP settings. Its own tracer provider,
 * not the global one: an embedding program's tracing and several gateways in
 * one process stay apart.
 */
export function createTracing(otel: NonNullable<Config['otel']>): Tracing {
  const options = { url: otel.tracesUrl, headers: otel.headers };
  const exporter = otel.protocol === 'http/json' ? new JsonExporter(options) : new ProtobufExporter(options);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: otel.serviceName, [ATTR_SERVICE_VERSION]: '0.1.0' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  return {
    plugin: useTracing(provider.getTracer('llm-gateway')),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
