import type { ModelEntry, ProviderEntry } from '../../snapshot/types.js';
import { findPreset, type AuthStyle, type ProviderPreset } from './presets.js';
import { DEFAULT_TIMEOUTS, type PrepareRequest, type UpstreamTimeouts } from '../upstream/http-client.js';
import type { UpstreamWire } from '../../core/wire.js';
import type { MediaEndpoint } from '../../core/media-endpoint.js';
import { credentialStep, usesStaticKey } from './auth/index.js';
import { serviceAccountOf } from './auth/google-service-account.js';

export type UpstreamOperation = 'generate' | 'stream' | 'embeddings' | 'count_tokens' | 'list_models' | MediaEndpoint;

/** OpenAI's paths of the endpoints beyond text generation, under the base URL (or an Azure deployment). */
const MEDIA_PATHS: Record<MediaEndpoint, string> = {
  image_generations: 'images/generations',
  image_edits: 'images/edits',
  audio_speech: 'audio/speech',
  audio_transcriptions: 'audio/transcriptions',
  rerank: 'rerank',
  moderations: 'moderations',
};

const isMediaOp = (op: UpstreamOperation): op is MediaEndpoint => op in MEDIA_PATHS;

/** Whether the provider's preset serves an endpoint beyond text generation (presets.ts `endpoints`). */
export function servesEndpoint(provider: ProviderEntry, endpoint: MediaEndpoint): boolean {
  const preset = presetOf(provider);
  return (preset.wire === 'openai-chat' || preset.wire === 'gemini') && (preset.endpoints?.includes(endpoint) ?? false);
}

const ANTHROPIC_VERSION = '2023-06-01';
const AZURE_DEFAULT_API_VERSION = '2024-10-21';

export function presetOf(provider: ProviderEntry): ProviderPreset {
  return findPreset(provider.type) ?? findPreset('openai-compatible')!;
}

export function wireOf(provider: ProviderEntry): UpstreamWire {
  return presetOf(provider).wire;
}

/** Per-provider timeouts from `options.timeouts` ({ connectMs, firstByteMs, idleMs }). */
export function timeoutsOf(provider: ProviderEntry): UpstreamTimeouts {
  const t = (provider.options.timeouts ?? {}) as Partial<UpstreamTimeouts>;
  const pick = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  return {
    connectMs: pick(t.connectMs, DEFAULT_TIMEOUTS.connectMs),
    firstByteMs: pick(t.firstByteMs, DEFAULT_TIMEOUTS.firstByteMs),
    idleMs: pick(t.idleMs, DEFAULT_TIMEOUTS.idleMs),
  };
}

/** Anthropic and Gemini bases are the host; tolerate a configured `/v1` or `/v1beta` suffix. */
const stripSuffix = (base: string, suffix: RegExp) => base.replace(/\/+$/, '').replace(suffix, '');

const GLOBAL_VERTEX_HOST = 'https://aiplatform.googleapis.com';

/**
 * Vertex AI's model path: `{base}/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}`.
 * Project from `options.vertex.project`, else the service account's own; location
 * from `options.vertex.location` (default `global`). A regional location on the
 * global default host moves to that region's host.
 */
function vertexModelPath(provider: ProviderEntry, base: string, publisher: string, model: string): string {
  const vertex = (provider.options.vertex ?? {}) as { project?: string; location?: string };
  const project = vertex.project ?? serviceAccountOf(provider.apiKey)?.projectId ?? 'PROJECT';
  const location = vertex.location ?? 'global';
  const host = base === GLOBAL_VERTEX_HOST && location !== 'global' ? `https://${location}-aiplatform.googleapis.com` : base;
  const root = stripSuffix(host, /\/v1(beta1)?$/);
  return `${root}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/${publisher}/models/${encodeURIComponent(model)}`;
}

/** The upstream URL for an operation on a model. */
export function upstreamUrl(model: ModelEntry, op: UpstreamOperation): string {
  const provider = model.provider;
  const preset = presetOf(provider);
  const base = provider.baseUrl.replace(/\/+$/, '');
  switch (preset.wire) {
    case 'bedrock-converse': {
      // Model ids and inference-profile ARNs hold ':' and '/', so the id is one encoded path segment.
      const id = encodeURIComponent(model.upstreamModel);
      if (op === 'count_tokens') return `${base}/model/${id}/count-tokens`;
      return `${base}/model/${id}/${op === 'stream' ? 'converse-stream' : 'converse'}`;
    }
    case 'bedrock-anthropic': {
      const id = encodeURIComponent(model.upstreamModel);
      if (op === 'count_tokens') return `${base}/model/${id}/count-tokens`;
      return `${base}/model/${id}/${op === 'stream' ? 'invoke-with-response-stream' : 'invoke'}`;
    }
    case 'anthropic-messages': {
      if (preset.urlStyle === 'vertex-anthropic') {
        if (op === 'count_tokens') return `${vertexModelPath(provider, base, 'anthropic', 'count-tokens')}:rawPredict`;
        return `${vertexModelPath(provider, base, 'anthropic', model.upstreamModel)}:${op === 'stream' ? 'streamRawPredict' : 'rawPredict'}`;
      }
      const root = stripSuffix(base, /\/v1$/);
      if (op === 'list_models') return `${root}/v1/models`;
      if (op === 'count_tokens') return `${root}/v1/messages/count_tokens`;
      return `${root}/v1/messages`;
    }
    case 'gemini': {
      if (preset.urlStyle === 'vertex-gemini') {
        const path = vertexModelPath(provider, base, 'google', model.upstreamModel.replace(/^models\//, ''));
        if (op === 'count_tokens') return `${path}:countTokens`;
        if (op === 'embeddings' || op === 'image_generations') return `${path}:predict`;
        return op === 'stream' ? `${path}:streamGenerateContent?alt=sse` : `${path}:generateContent`;
      }
      const root = stripSuffix(base, /\/v1(beta|alpha)?$/);
      const id = encodeURIComponent(model.upstreamModel.replace(/^models\//, ''));
      if (op === 'list_models') return `${root}/v1beta/models`;
      if (op === 'embeddings') return `${root}/v1beta/models/${id}:batchEmbedContents`;
      if (op === 'count_tokens') return `${root}/v1beta/models/${id}:countTokens`;
      if (op === 'image_generations') return `${root}/v1beta/models/${id}:predict`;
      return op === 'stream' ? `${root}/v1beta/models/${id}:streamGenerateContent?alt=sse` : `${root}/v1beta/models/${id}:generateContent`;
    }
    case 'openai-responses':
      if (op === 'list_models') return `${base}/models`;
      return `${base}/responses`;
    case 'openai-chat': {
      if (preset.urlStyle === 'azure') {
        const version = typeof provider.options.apiVersion === 'string' ? provider.options.apiVersion : AZURE_DEFAULT_API_VERSION;
        const deployment = encodeURIComponent(model.upstreamModel);
        const path = op === 'embeddings' ? 'embeddings' : isMediaOp(op) ? MEDIA_PATHS[op] : 'chat/completions';
        return `${stripSuffix(base, /\/openai$/)}/openai/deployments/${deployment}/${path}?api-version=${encodeURIComponent(version)}`;
      }
      if (op === 'list_models') return `${base}/models`;
      if (op === 'embeddings') return `${base}/embeddings`;
      if (isMediaOp(op)) return `${base}/${MEDIA_PATHS[op]}`;
      return `${base}/chat/completions`;
    }
  }
}

function authHeaders(style: AuthStyle, key: string | undefined): Record<string, string> {
  if (!key) return {};
  switch (style) {
    case 'aws-sigv4':
    case 'google-service-account':
      // Computed per request by the provider's credential step (upstreamPrepare).
      return {};
    case 'bearer':
      return { authorization: `Bearer ${key}` };
    case 'x-api-key':
      return { 'x-api-key': key };
    case 'api-key':
      return { 'api-key': key };
    case 'x-goog-api-key':
      return { 'x-goog-api-key': key };
  }
}

/**
 * Request headers for the upstream: content type, the provider's auth, its
 * extra headers, and the protocol headers a wire format requires.
 * `passthrough` carries the client's own protocol headers on a same-format
 * request (anthropic-beta, Codex's session headers, …; see
 * pipeline/client-headers.ts); the provider's auth and configured headers win.
 */
export function upstreamHeaders(provider: ProviderEntry, passthrough: Record<string, string> = {}): Record<string, string> {
  const preset = presetOf(provider);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'llm-gateway/0.1',
    ...passthrough,
    ...(usesStaticKey(provider, preset.auth) ? authHeaders(preset.auth, provider.apiKey) : {}),
  };
  if (preset.wire === 'anthropic-messages' && preset.urlStyle !== 'vertex-anthropic')
    headers['anthropic-version'] = passthrough['anthropic-version'] ?? ANTHROPIC_VERSION;
  for (const [name, value] of Object.entries(provider.headers)) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * The provider's credential step, run on the final request just before it is
 * sent (SigV4 signing, minted tokens); undefined for providers whose key is a
 * static header. Pass it as `UpstreamCall.prepare`.
 */
export function upstreamPrepare(provider: ProviderEntry): PrepareRequest | undefined {
  const preset = presetOf(provider);
  return credentialStep(provider, preset.auth, preset.urlStyle);
}
