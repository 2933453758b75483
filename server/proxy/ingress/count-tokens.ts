import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http/json.js';
import { authenticate, authorizeModel } from '../../keys/authenticate.js';
import type { Services } from '../../services.js';
import type { GatewayError } from '../canonical/error.js';
import { estimateInputTokens } from '../formats/anthropic-messages/index.js';
import { UPSTREAM_FORMATS } from '../formats/registry.js';
import { asGatewayError, sendClientError } from '../pipeline/errors.js';
import { newProxyContext } from '../pipeline/new-context.js';
import { recordRequest } from '../pipeline/record.js';
import { resolveModel } from '../pipeline/resolve-model.js';
import { timeoutsOf, upstreamHeaders, upstreamUrl, wireOf } from '../providers/endpoints.js';
import { sendUpstream } from '../upstream/http-client.js';
import { readErrorBody, upstreamHttpError, upstreamTransportError } from '../upstream/upstream-error.js';
import { readJsonObject } from './request-body.js';

/**
 * POST /v1/messages/count_tokens. Exact when the model's upstream is Anthropic
 * (the request is forwarded to its count_tokens endpoint); otherwise an
 * estimate with the o200k tokenizer (see formats/anthropic-messages/count-tokens.ts).
 */
export function countTokensHandler(services: Services) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = newProxyContext('messages', 'count_tokens', services, req, res);
    let failure: GatewayError | undefined;
    try {
      ctx.key = authenticate(req.headers, services.snapshot.current);
      const { json } = await readJsonObject(req, services.config.maxBodyBytes);
      ctx.body = json;
      // count_tokens bodies have no max_tokens; the Messages decoder requires one.
      const request = ctx.client.decodeRequest({ ...json, max_tokens: 1, stream: false });
      authorizeModel(ctx.key, request.model);
      const model = (ctx.model = resolveModel(services.snapshot.current, request.model));
      if (wireOf(model.provider) !== 'anthropic-messages') {
        return sendJson(res, 200, { input_tokens: estimateInputTokens(request) });
      }
      ctx.attempts = 1;
      let response;
      try {
        response = await sendUpstream({
          url: upstreamUrl(model, 'count_tokens'),
          headers: upstreamHeaders(model.provider, pick(req.headers, ['anthropic-version', 'anthropic-beta'])),
          body: JSON.stringify({ ...json, model: model.upstreamModel }),
          timeouts: timeoutsOf(model.provider),
          signal: ctx.abort.signal,
        });
      } catch (error) {
        throw upstreamTransportError(error, model.provider);
      }
      if (response.statusCode >= 400) {
        throw upstreamHttpError(response.statusCode, await readErrorBody(response.body), undefined, UPSTREAM_FORMATS['anthropic-messages'], model.provider);
      }
      const text = await response.body.text();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (error) {
      failure = asGatewayError(error);
      sendClientError(res, ctx.client, failure);
    } finally {
      recordRequest(ctx, failure);
    }
  };
}

function pick(headers: IncomingMessage['headers'], names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (typeof headers[name] === 'string') out[name] = headers[name] as string;
  return out;
}
