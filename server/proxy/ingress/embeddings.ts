import type { PipelineDeps } from '../pipeline/context.js';
import { authenticate, authorizeModel } from '../../keys/authenticate.js';
import { callUpstreamJson } from '../pipeline/upstream-call.js';
import { decodeGeminiEmbeddingResponse, embeddingEncoding, embeddingInputs, encodeGeminiEmbeddingRequest } from '../formats/gemini/index.js';
import { invalidRequest } from '../../core/error.js';
import { withTokenBudget } from '../formats/shared/tokens.js';
import { decodeOrBadGateway } from '../pipeline/guarded-decode.js';
import { attribute } from '../pipeline/attribution.js';
import { proxyEndpoint } from './endpoint.js';
import { readJsonObject } from '../pipeline/request-body.js';
import { resolveModel } from '../pipeline/resolve-model.js';
import { sendJson } from '../../http/json.js';
import { presetOf, wireOf } from '../providers/endpoints.js';
import { decodeVertexEmbeddingResponse, encodeVertexEmbeddingRequest } from '../formats/gemini/vertex-embeddings.js';
import type { ProxyContext } from '../pipeline/context.js';

/** Text inputs through the plugins that check them (guardrails); token-id inputs are left alone. */
async function checkInputs(ctx: ProxyContext, services: PipelineDeps, json: Record<string, unknown>): Promise<void> {
  const single = typeof json.input === 'string';
  if (!single && !(Array.isArray(json.input) && json.input.length > 0 && json.input.every((v) => typeof v === 'string'))) return;
  let texts: readonly string[] = single ? [json.input as string] : (json.input as string[]);
  for (const plugin of services.plugins) {
    if (!plugin.embeddingInputs) continue;
    texts = (await plugin.embeddingInputs(ctx, texts)) ?? texts;
  }
  json.input = single ? texts[0] : [...texts];
}

/**
 * POST /v1/embeddings in OpenAI's format: passed through to OpenAI-compatible
 * upstreams (model renamed), translated for Gemini's batchEmbedContents.
 */
export function embeddingsHandler(services: PipelineDeps) {
  return proxyEndpoint('chat-completions', 'embeddings', services, async (ctx) => {
    ctx.key = authenticate(ctx.req.headers, services.snapshot.current);
    const { json } = await readJsonObject(ctx.req, services.config);
    ctx.body = json;
    if (typeof json.model !== 'string' || !json.model) throw invalidRequest('model: is required and must be a string', 'model');
    if (json.input === undefined || json.input === null) throw invalidRequest('input: is required', 'input');
    authorizeModel(ctx.key, json.model);
    attribute(ctx);
    const model = (ctx.model = resolveModel(services.snapshot.current, json.model));
    await checkInputs(ctx, services, json);
    const wire = wireOf(model.provider);
    if (wire !== 'openai-chat' && wire !== 'gemini') {
      throw invalidRequest(`model: the provider "${model.provider.name}" does not offer embeddings through this gateway`, 'model');
    }
    const inputs = wire === 'gemini' ? embeddingInputs(json) : [];
    const encoding = wire === 'gemini' ? embeddingEncoding(json) : 'float';
    // Vertex AI serves embeddings through :predict, in its own body shape.
    const vertex = presetOf(model.provider).urlStyle === 'vertex-gemini';
    const body = vertex
      ? encodeVertexEmbeddingRequest(json)
      : wire === 'gemini'
        ? encodeGeminiEmbeddingRequest(json, model.upstreamModel)
        : { ...json, model: model.upstreamModel };
    ctx.admission = await services.limits.admit(ctx.key, Math.ceil(JSON.stringify(json.input).length / 4), { model: json.model, endUser: ctx.endUser });
    for (const [name, value] of Object.entries(ctx.admission.headers)) ctx.res.setHeader(name, value);
    ctx.attempts = 1;
    const { json: parsed } = await callUpstreamJson(model, 'embeddings', JSON.stringify(body), ctx.abort, {
      maxBytes: services.config.maxUpstreamResponseBytes,
    });
    // Gemini's usage is a local estimate: one tokenizer budget for the request (TOKENIZER_MAX_CHARS).
    const out =
      wire === 'gemini'
        ? decodeOrBadGateway(model.provider, () =>
            vertex
              ? decodeVertexEmbeddingResponse(parsed, json.model as string, inputs.length, encoding)
              : withTokenBudget(services.config.tokenizerMaxChars, () => decodeGeminiEmbeddingResponse(parsed, json.model as string, inputs, encoding)),
          )
        : parsed;
    const tokens = Number((out as { usage?: { prompt_tokens?: number } }).usage?.prompt_tokens ?? 0);
    ctx.usage = { inputTokens: tokens, outputTokens: 0 };
    sendJson(ctx.res, 200, out);
    ctx.completed = true;
  });
}
