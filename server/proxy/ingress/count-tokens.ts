import { sendJson } from '../../http/json.js';
import { authenticate, authorizeModel } from '../../keys/authenticate.js';
import type { Services } from '../../services.js';
import { estimateInputTokens } from '../formats/anthropic-messages/index.js';
import { withTokenBudget } from '../formats/shared/tokens.js';
import { resolveName } from '../pipeline/resolve-model.js';
import { applyPromptRules } from '../../prompts/apply.js';
import { rewriteNativeBody } from '../../prompts/native-body.js';
import type { VirtualModelEntry } from '../../routing/types.js';
import type { ModelEntry } from '../../snapshot/types.js';
import { anthropicProtocolHeaders, callUpstream, readUpstreamJson } from '../pipeline/upstream-call.js';
import { wireOf } from '../providers/endpoints.js';
import { proxyEndpoint } from './endpoint.js';
import { readJsonObject } from './request-body.js';

/**
 * POST /v1/messages/count_tokens. Exact when the model's upstream is Anthropic
 * (the request is forwarded to its count_tokens endpoint); otherwise an
 * estimate with the o200k tokenizer (see formats/anthropic-messages/count-tokens.ts).
 */
export function countTokensHandler(services: Services) {
  return proxyEndpoint('messages', 'count_tokens', services, async (ctx) => {
    ctx.key = authenticate(ctx.req.headers, services.snapshot.current);
    const { json } = await readJsonObject(ctx.req, services.config);
    ctx.body = json;
    // count_tokens bodies have no max_tokens; the Messages decoder requires one.
    const request = ctx.client.decodeRequest({ ...json, max_tokens: 1, stream: false });
    authorizeModel(ctx.key, request.model);
    const resolved = resolveName(services.snapshot.current, request.model);
    let model: ModelEntry;
    if (resolved.kind === 'model') model = resolved.model;
    else {
      // A virtual model counts what its first target would receive, after its prompt rules.
      const rules = resolved.route.promptRules;
      if (rules.length) ctx.rulesApplied = applyPromptRules(rules, request);
      model = firstTarget(resolved.route);
    }
    ctx.model = model;
    if (wireOf(model.provider) !== 'anthropic-messages') {
      // One tokenizer budget for the whole request (TOKENIZER_MAX_CHARS); beyond it the count is extrapolated.
      const inputTokens = withTokenBudget(services.config.tokenizerMaxChars, () => estimateInputTokens(request));
      sendJson(ctx.res, 200, { input_tokens: inputTokens });
      ctx.completed = true;
      return;
    }
    ctx.attempts = 1;
    const rewritten = (ctx.rulesApplied?.length ?? 0) > 0;
    const body = JSON.stringify(rewritten ? rewriteNativeBody('messages', request, json, model.upstreamModel) : { ...json, model: model.upstreamModel });
    const response = await callUpstream(model, 'count_tokens', body, ctx.abort.signal, anthropicProtocolHeaders(ctx.req.headers));
    const { text } = await readUpstreamJson(response, model, services.config.maxUpstreamResponseBytes);
    ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    ctx.res.end(text);
    ctx.completed = true;
  });
}

/** The target a virtual model tries first: lowest priority number among enabled ones. */
function firstTarget(route: VirtualModelEntry): ModelEntry {
  const usable = route.targets.filter((t) => t.model.enabled && t.model.provider.enabled);
  return (usable.length ? usable : route.targets).reduce((best, t) => (t.priority < best.priority ? t : best)).model;
}
