import { sendJson } from '../../http/json.js';
import type { VirtualModelEntry } from '../../snapshot/types.js';
import type { ModelEntry } from '../../snapshot/types.js';
import { estimateInputTokens } from '../formats/anthropic-messages/index.js';
import { withTokenBudget } from '../formats/shared/tokens.js';
import type { PipelineDeps } from '../pipeline/context.js';
import { readGeneration } from '../pipeline/generation.js';
import { prepareUpstream } from '../pipeline/prepare-upstream.js';
import { callUpstreamJson } from '../pipeline/upstream-call.js';
import { wireOf } from '../providers/endpoints.js';
import { proxyEndpoint } from './endpoint.js';

/**
 * POST /v1/messages/count_tokens, through the same stages as a generation
 * (plugins included: a virtual model's prompt rules, request defaults). Exact
 * when the model's upstream is Anthropic (the prepared request goes to its
 * count_tokens endpoint); otherwise an estimate with the o200k tokenizer (see
 * formats/anthropic-messages/count-tokens.ts).
 */
export function countTokensHandler(deps: PipelineDeps) {
  return proxyEndpoint('messages', 'count_tokens', deps, async (shell) => {
    // count_tokens bodies have no max_tokens; the Messages decoder requires one.
    const { ctx, resolved } = await readGeneration(shell, (body) => shell.client.decodeRequest({ ...body, max_tokens: 1, stream: false }));
    // A virtual model counts what its first target would receive.
    const model = resolved.kind === 'model' ? resolved.model : firstTarget(resolved.route);
    ctx.model = model;
    // Counted as a request of the key, team and model (RPM; it costs nothing).
    ctx.admission = await deps.limits.admit(ctx.key, 0, { model: ctx.request.model, endUser: ctx.endUser });
    for (const [name, value] of Object.entries(ctx.admission.headers)) ctx.res.setHeader(name, value);
    if (wireOf(model.provider) !== 'anthropic-messages') {
      // One tokenizer budget for the whole request (TOKENIZER_MAX_CHARS); beyond it the count is extrapolated.
      const inputTokens = withTokenBudget(deps.config.tokenizerMaxChars, () => estimateInputTokens(ctx.request));
      sendJson(ctx.res, 200, { input_tokens: inputTokens });
      ctx.completed = true;
      return;
    }
    ctx.attempts = 1;
    const { up } = prepareUpstream(ctx, model, 'count_tokens');
    const { text } = await callUpstreamJson(model, up.op, up.bytes(), ctx.abort, {
      maxBytes: deps.config.maxUpstreamResponseBytes,
      protocolHeaders: up.headers,
    });
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
