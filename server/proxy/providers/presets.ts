import type { UpstreamWire } from '../../core/wire.js';
import type { RelayDefaults } from './relay-types.js';
import type { MediaEndpoint, RerankDialect } from '../../core/media-endpoint.js';

/**
 * Provider presets are data: an OpenAI-compatible vendor is a base URL, an auth
 * style and a model-list style. Code exists once per wire format (see ../formats).
 * Facts from each vendor's public API documentation.
 */

export type AuthStyle =
  /** `Authorization: Bearer <key>` */
  | 'bearer'
  /** Anthropic: `x-api-key` + `anthropic-version` */
  | 'x-api-key'
  /** Azure OpenAI: `api-key` */
  | 'api-key'
  /** Google: `x-goog-api-key` */
  | 'x-goog-api-key'
  /** Amazon Bedrock: SigV4-signed requests (or a Bedrock API key as bearer); see auth/aws-sigv4.ts */
  | 'aws-sigv4'
  /** Vertex AI: a bearer token minted from a service-account JSON key; see auth/google-service-account.ts */
  | 'google-service-account';

export type ModelListStyle = 'openai' | 'anthropic' | 'gemini' | 'ollama' | 'none';

export interface ProviderPreset {
  type: string;
  displayName: string;
  wire: UpstreamWire;
  /**
   * URL shapes beyond the wire format's own: Azure puts the deployment in the path and
   * needs an api-version query; Vertex puts project, location and publisher in the path.
   */
  urlStyle?: 'azure' | 'vertex-gemini' | 'vertex-anthropic';
  defaultBaseUrl: string;
  auth: AuthStyle;
  /** Local servers (Ollama, vLLM, LM Studio) run without a key. */
  keyOptional?: boolean;
  modelList: ModelListStyle;
  docsUrl?: string;
  /** Relay mode defaults (Responses wire only; see server/relay). The provider's options.relay overrides them. */
  relay?: RelayDefaults;
  /** The endpoints beyond text generation the vendor serves (OpenAI-compatible paths under the base URL). */
  endpoints?: readonly MediaEndpoint[];
  /** The body shape of its /rerank (default `jina`: the Cohere/Jina shape the gateway's clients send). */
  rerank?: RerankDialect;
}

const OPENAI_ENDPOINTS: readonly MediaEndpoint[] = ['image_generations', 'image_edits', 'audio_speech', 'audio_transcriptions', 'moderations'];

/** Fields a Codex backend refuses; the upstream instructions text is the admin's to supply. */
export const CODEX_DROPPED_FIELDS = ['max_output_tokens', 'temperature', 'top_p', 'metadata'];

const openaiCompatible = (type: string, displayName: string, defaultBaseUrl: string, extra: Partial<ProviderPreset> = {}): ProviderPreset => ({
  type,
  displayName,
  wire: 'openai-chat',
  defaultBaseUrl,
  auth: 'bearer',
  modelList: 'openai',
  ...extra,
});

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  openaiCompatible('openai', 'OpenAI', 'https://api.openai.com/v1', { endpoints: OPENAI_ENDPOINTS }),
  {
    type: 'openai-responses',
    displayName: 'OpenAI Responses API only',
    wire: 'openai-responses',
    defaultBaseUrl: 'https://api.openai.com/v1',
    auth: 'bearer',
    modelList: 'openai',
  },
  {
    type: 'codex-relay',
    displayName: 'Codex relay (Responses, isolated instructions)',
    wire: 'openai-responses',
    defaultBaseUrl: 'https://relay.example.com/v1',
    auth: 'bearer',
    modelList: 'none',
    relay: { instructionsPolicy: 'isolate', droppedFields: CODEX_DROPPED_FIELDS, forceStoreFalse: true, forceStream: true },
  },
  {
    type: 'anthropic',
    displayName: 'Anthropic',
    wire: 'anthropic-messages',
    defaultBaseUrl: 'https://api.anthropic.com',
    auth: 'x-api-key',
    modelList: 'anthropic',
  },
  {
    type: 'gemini',
    displayName: 'Google Gemini',
    wire: 'gemini',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    auth: 'x-goog-api-key',
    modelList: 'gemini',
    // Imagen models (imagen-4.0-generate-001, …) through :predict.
    endpoints: ['image_generations'],
  },
  {
    type: 'azure-openai',
    displayName: 'Azure OpenAI',
    wire: 'openai-chat',
    urlStyle: 'azure',
    defaultBaseUrl: 'https://YOUR-RESOURCE.openai.azure.com',
    auth: 'api-key',
    modelList: 'none',
    endpoints: ['image_generations', 'image_edits', 'audio_speech', 'audio_transcriptions'],
  },
  {
    type: 'bedrock',
    displayName: 'Amazon Bedrock (Converse)',
    wire: 'bedrock-converse',
    defaultBaseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
    auth: 'aws-sigv4',
    // Without a key the process environment's AWS credentials are used.
    keyOptional: true,
    modelList: 'none',
    docsUrl: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html',
  },
  {
    // Claude on Bedrock with the Anthropic Messages body (InvokeModel): same credentials and region as Converse.
    type: 'bedrock-anthropic',
    displayName: 'Amazon Bedrock (Anthropic InvokeModel)',
    wire: 'bedrock-anthropic',
    defaultBaseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
    auth: 'aws-sigv4',
    keyOptional: true,
    modelList: 'none',
    docsUrl: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html',
  },
  {
    type: 'vertex-gemini',
    displayName: 'Google Vertex AI (Gemini)',
    wire: 'gemini',
    urlStyle: 'vertex-gemini',
    defaultBaseUrl: 'https://aiplatform.googleapis.com',
    auth: 'google-service-account',
    modelList: 'none',
    endpoints: ['image_generations'],
    docsUrl: 'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference',
  },
  {
    type: 'vertex-anthropic',
    displayName: 'Google Vertex AI (Anthropic Claude)',
    wire: 'anthropic-messages',
    urlStyle: 'vertex-anthropic',
    defaultBaseUrl: 'https://aiplatform.googleapis.com',
    auth: 'google-service-account',
    modelList: 'none',
    docsUrl: 'https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude',
  },
  openaiCompatible('deepseek', 'DeepSeek', 'https://api.deepseek.com/v1'),
  openaiCompatible('mistral', 'Mistral AI', 'https://api.mistral.ai/v1'),
  openaiCompatible('groq', 'Groq', 'https://api.groq.com/openai/v1', { endpoints: ['audio_speech', 'audio_transcriptions'] }),
  openaiCompatible('together', 'Together AI', 'https://api.together.xyz/v1', { endpoints: ['image_generations', 'rerank'] }),
  openaiCompatible('fireworks', 'Fireworks AI', 'https://api.fireworks.ai/inference/v1'),
  openaiCompatible('openrouter', 'OpenRouter', 'https://openrouter.ai/api/v1'),
  openaiCompatible('xai', 'xAI (Grok)', 'https://api.x.ai/v1'),
  openaiCompatible('perplexity', 'Perplexity', 'https://api.perplexity.ai', { modelList: 'none' }),
  openaiCompatible('cerebras', 'Cerebras', 'https://api.cerebras.ai/v1'),
  openaiCompatible('moonshot', 'Moonshot (Kimi)', 'https://api.moonshot.ai/v1'),
  openaiCompatible('zhipu', 'Zhipu GLM (Z.AI)', 'https://api.z.ai/api/paas/v4'),
  openaiCompatible('dashscope', 'Alibaba Qwen (DashScope)', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1'),
  openaiCompatible('siliconflow', 'SiliconFlow', 'https://api.siliconflow.com/v1'),
  openaiCompatible('minimax', 'MiniMax', 'https://api.minimax.io/v1'),
  openaiCompatible('volcengine', 'Volcengine Ark (Doubao)', 'https://ark.cn-beijing.volces.com/api/v3'),
  openaiCompatible('qianfan', 'Baidu Qianfan (ERNIE)', 'https://qianfan.baidubce.com/v2'),
  openaiCompatible('hunyuan', 'Tencent Hunyuan', 'https://api.hunyuan.cloud.tencent.com/v1'),
  openaiCompatible('nvidia-nim', 'NVIDIA NIM', 'https://integrate.api.nvidia.com/v1'),
  openaiCompatible('deepinfra', 'DeepInfra', 'https://api.deepinfra.com/v1/openai'),
  openaiCompatible('sambanova', 'SambaNova', 'https://api.sambanova.ai/v1'),
  openaiCompatible('ollama', 'Ollama', 'http://localhost:11434/v1', { keyOptional: true, modelList: 'ollama' }),
  openaiCompatible('vllm', 'vLLM', 'http://localhost:8000/v1', { keyOptional: true, endpoints: ['audio_transcriptions', 'rerank'] }),
  openaiCompatible('lm-studio', 'LM Studio', 'http://localhost:1234/v1', { keyOptional: true }),
  openaiCompatible('openai-compatible', 'OpenAI-compatible (custom)', 'http://localhost:8080/v1', {
    keyOptional: true,
    endpoints: [...OPENAI_ENDPOINTS, 'rerank'],
  }),
  // Rerank (and embeddings) vendors: no chat models.
  openaiCompatible('jina', 'Jina AI (rerank, embeddings)', 'https://api.jina.ai/v1', { modelList: 'none', endpoints: ['rerank'], rerank: 'jina' }),
  openaiCompatible('cohere', 'Cohere (rerank)', 'https://api.cohere.com/v2', { modelList: 'none', endpoints: ['rerank'], rerank: 'cohere' }),
  openaiCompatible('voyage', 'Voyage AI (rerank, embeddings)', 'https://api.voyageai.com/v1', { modelList: 'none', endpoints: ['rerank'], rerank: 'voyage' }),
];

const byType = new Map(PROVIDER_PRESETS.map((p) => [p.type, p]));

export function findPreset(type: string): ProviderPreset | undefined {
  return byType.get(type);
}
