import type { ProxyContext } from '../proxy/pipeline/plugin.js';

/**
 * OpenTelemetry GenAI semantic-convention names (gen_ai.*) and the gateway's own
 * attributes (gateway.*). Spelled out here rather than taken from the
 * conventions' "incubating" entry point, whose names may still move.
 */
export const ATTR = {
  operation: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  httpStatus: 'http.response.status_code',
  errorType: 'error.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  keyName: 'gateway.key.name',
  virtualModel: 'gateway.virtual_model',
  target: 'gateway.target',
  targetProvider: 'gateway.provider',
  attempts: 'gateway.attempts',
  attempt: 'gateway.attempt',
  endpoint: 'gateway.endpoint',
  stream: 'gateway.stream',
  passthrough: 'gateway.passthrough',
  status: 'gateway.status',
  cacheStatus: 'gateway.cache.status',
  cacheSimilarity: 'gateway.cache.similarity',
  guardrails: 'gateway.guardrails',
  guardrailFindings: 'gateway.guardrails.findings',
} as const;

/** gen_ai.operation.name per endpoint (count_tokens has no convention name; it keeps its own). */
export function operationName(endpoint: ProxyContext['endpoint']): string {
  switch (endpoint) {
    case 'chat-completions':
    case 'responses':
    case 'messages':
      return 'chat';
    case 'embeddings':
      return 'embeddings';
    case 'count_tokens':
      return 'count_tokens';
    // No gen_ai convention names these yet: each keeps its own.
    case 'image_generations':
    case 'image_edits':
    case 'audio_speech':
    case 'audio_transcriptions':
    case 'rerank':
    case 'moderations':
      return endpoint;
    default: {
      const _exhaustive: never = endpoint;
      return String(_exhaustive);
    }
  }
}

/** The conventions' well-known provider names; other provider types are reported as they are. */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  'openai-responses': 'openai',
  'azure-openai': 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  'bedrock-anthropic': 'aws.bedrock',
  deepseek: 'deepseek',
  mistral: 'mistral_ai',
  groq: 'groq',
  perplexity: 'perplexity',
  xai: 'x_ai',
  cohere: 'cohere',
};

export function providerName(providerType: string): string {
  return PROVIDER_NAMES[providerType] ?? providerType;
}
