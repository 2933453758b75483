import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http/json.js';
import { authenticate, authorizeModel } from '../../keys/authenticate.js';
import type { Services } from '../../services.js';
import { GatewayError, invalidRequest } from '../canonical/error.js';
import { UPSTREAM_FORMATS } from '../formats/registry.js';
import { decodeGeminiEmbeddingResponse, embeddingEncoding, embeddingInputs, encodeGeminiEmbeddingRequest } from '../formats/gemini/index.js';
import { asGatewayError, sendClientError } from '../pipeline/errors.js';
import { newProxyContext } from '../pipeline/new-context.js';
import { recordRequest } from '../pipeline/record.js';
import { resolveModel } from '../pipeline/resolve-model.js';
import { timeoutsOf, upstreamHeaders, upstreamUrl, wireOf } from '../providers/endpoints.js';
import { sendUpstream } from '../upstream/http-client.js';
import { readErrorBody, upstreamHttpError, upstreamTransportError } from '../upstream/upstream-error.js';
import { readJsonObject } from './request-body.js';

/**
 * POST /v1/embeddings in OpenAI's format: passed through to OpenAI-compatible
 * upstreams (model renamed), translated for Gemini's batchEmbedContents.
 */
export function embeddingsHandler(services: Services) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = newProxyContext('chat-completions', 'embeddings', services, req, res);
    let failure: GatewayError | undefined;
    try {
      ctx.key = authenticate(req.headers, services.snapshot.current);
      const { json } = await readJsonObject(req, services.config.maxBodyBytes);
      ctx.body = json;
      if (typeof json.model !== 'string' || !json.model) throw invalidRequest('model: is required and must be a string', 'model');
      if (json.input === undefined || json.input === null) throw invalidRequest('input: is required', 'input');
      authorizeModel(ctx.key, json.model);
      const model = (ctx.model = resolveModel(services.snapshot.current, json.model));
      const wire = wireOf(model.provider);
      if (wire !== 'openai-chat' && wire !== 'gemini') {
        throw invalidRequest(`model: the provider "${model.provider.name}" does not offer embeddings through this gateway`, 'model');
      }
      const inputs = wire === 'gemini' ? embeddingInputs(json) : [];
      const encoding = wire === 'gemini' ? embeddingEncoding(json) : 'float';
      const body = wire === 'gemini' ? encodeGeminiEmbeddingRequest(json, model.upstreamModel) : { ...json, model: model.upstreamModel };
      ctx.attempts = 1;
      let response;
      try {
        response = await sendUpstream({
          url: upstreamUrl(model, 'embeddings'),
          headers: upstreamHeaders(model.provider),
          body: JSON.stringify(body),
          timeouts: timeoutsOf(model.provider),
          signal: ctx.abort.signal,
        });
      } catch (error) {
        throw upstreamTransportError(error, model.provider);
      }
      if (response.statusCode >= 400) {
        const retryAfter = response.headers['retry-after'];
        throw upstreamHttpError(
          response.statusCode,
          await readErrorBody(response.body),
          typeof retryAfter === 'string' ? retryAfter : undefined,
          UPSTREAM_FORMATS[wire],
          model.provider,
        );
      }
      const text = await response.body.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new GatewayError({ status: 502, kind: 'upstream', message: `The provider "${model.provider.name}" returned a response that is not JSON` });
      }
      const out = wire === 'gemini' ? decodeGeminiEmbeddingResponse(parsed, json.model, inputs, encoding) : parsed;
      const tokens = Number((out as { usage?: { prompt_tokens?: number } }).usage?.prompt_tokens ?? 0);
      ctx.usage = { inputTokens: tokens, outputTokens: 0 };
      sendJson(res, 200, out);
    } catch (error) {
      failure = asGatewayError(error);
      sendClientError(res, ctx.client, failure);
    } finally {
      recordRequest(ctx, failure);
    }
  };
}
