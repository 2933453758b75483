export { McpGateway, MCP_REFUSED, type McpGatewayOptions, type McpServerHealth, type OfferedTool } from './gateway.js';
export { McpMetrics } from './metrics.js';
export { mcpEndpoint } from './endpoint.js';
export { McpUpstream } from './upstream.js';
export { namespaced, splitNamespaced, SERVER_NAME_PATTERN } from './names.js';
export { serverEntry, toolSettings } from './load.js';
export * from './types.js';
