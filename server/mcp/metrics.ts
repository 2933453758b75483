import { Counter, type Registry } from 'prom-client';

/** The MCP gateway's Prometheus series, on the instance's registry. Labels are registered servers and tools only. */
export class McpMetrics {
  readonly calls: Counter<'server' | 'tool' | 'status' | 'source'>;

  constructor(registry: Registry) {
    this.calls = new Counter({
      name: 'gateway_mcp_tool_calls_total',
      help: 'MCP tool calls by server, upstream tool, status (ok, error, timeout, refused) and source (endpoint, loop).',
      labelNames: ['server', 'tool', 'status', 'source'] as const,
      registers: [registry],
    });
  }
}
