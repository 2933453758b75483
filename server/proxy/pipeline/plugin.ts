/**
 * The plugin contract, for plugin authors: a feature that touches proxied
 * requests is an object of hooks (see ProxyPlugin). It is defined beside the
 * request context it acts on (context.ts), so the two do not import each other.
 */
export type { AnswerHooks, CacheMark, CompletedRequest, GenerationContext, PluginAnswer, ProxyContext, ProxyPlugin, RequestHooks } from './context.js';
export type { UpstreamRequest } from './upstream-request.js';
