import type { GenerationContext, ProxyPlugin, RequestHooks } from '../proxy/pipeline/plugin.js';
import type { Resolved } from '../proxy/pipeline/resolve-model.js';
import { answerHooks, describe, type NoteHit } from './answer-hooks.js';
import { applyToText } from './apply-text.js';
import { guardrailSet, type CompiledGuardrail, type GuardrailSet } from './compiled.js';
import { moderationText } from './moderation.js';
import { PlaceholderMap } from './placeholders.js';
import { guardEmbeddingInputs } from './embeddings.js';
import { hitRecorder, moderateText } from './request-stage.js';
import { blocked, misconfigured } from './refusals.js';
import { rewriteRequestTexts } from './request-texts.js';

/**
 * Guardrails (server/guardrails, docs/GUARDRAILS.md): the guardrails attached
 * to the caller's key and to the virtual model it asked for check the request
 * after prompt rules rewrote it, before limits and routing — `mask` replaces
 * values by placeholders that the answer gets back, `redact` replaces them for
 * good, `block` refuses (400 naming the guardrail, no upstream call), `log`
 * only counts; a moderation guardrail asks a configured model. Response-stage
 * guardrails check the answer. Off (one map lookup) when no guardrail is
 * attached to anything. `/v1/embeddings` inputs are checked by the key's
 * request-stage guardrails (embeddings.ts).
 */
export function useGuardrails(): ProxyPlugin {
  return {
    name: 'guardrails',
    embeddingInputs: guardEmbeddingInputs,
    request(ctx) {
      const set = guardrailSet(ctx.deps.snapshot.current);
      if (!set || !ctx.key) return undefined;
      const forKey = set.byKey.get(ctx.key.id) ?? [];
      if (!forKey.length && !set.byVirtualModel.size) return undefined;
      return requestHooks(set, forKey);
    },
  };
}

function attached(set: GuardrailSet, forKey: readonly CompiledGuardrail[], resolved: Resolved): CompiledGuardrail[] {
  const forModel = resolved.kind === 'route' ? set.byVirtualModel.get(resolved.route.id) : undefined;
  if (!forModel) return [...forKey];
  return [...new Set([...forKey, ...forModel])];
}

function requestHooks(set: GuardrailSet, forKey: readonly CompiledGuardrail[]): RequestHooks {
  const masks = new PlaceholderMap();
  let responseGuards: CompiledGuardrail[] = [];
  let responseModeration: CompiledGuardrail[] = [];
  let note: NoteHit = () => {};

  return {
    async onResolved(ctx, resolved) {
      const active = attached(set, forKey, resolved);
      if (!active.length) return;
      note = hitRecorder(ctx);
      for (const g of active) {
        if (g.broken) throw misconfigured(g.entry.name, g.broken);
        if (g.entry.stage === 'response') continue;
        if (g.find) checkRequest(ctx, g, masks, note);
        if (g.entry.moderation) await moderateText(ctx, g, 'request', moderationText(ctx.request), note);
      }
      responseGuards = active.filter((g) => g.entry.stage !== 'request' && g.find);
      // Whole answers only: a stream reaches the client as it is written.
      if (!ctx.request.stream) responseModeration = active.filter((g) => g.entry.stage !== 'request' && g.entry.moderation);
    },
    onPrepareUpstream(up, ctx) {
      if (!masks.size && !responseGuards.length && !responseModeration.length) return;
      // The answer is encoded from canonical events even on a passthrough, so restored values reach the client.
      if (masks.size || responseGuards.length) up.translateAnswer = true;
      const moderateAnswer = responseModeration.length
        ? async (text: string) => {
            for (const g of responseModeration) await moderateText(ctx, g, 'response', text, note);
          }
        : undefined;
      return answerHooks(masks, responseGuards, note, moderateAnswer);
    },
  };
}

function checkRequest(ctx: GenerationContext, g: CompiledGuardrail, masks: PlaceholderMap, note: NoteHit): void {
  const { mode, name } = g.entry;
  let count = 0;
  let found: string[] = [];
  rewriteRequestTexts(ctx.request, (text, _json) => {
    const r = applyToText(g.find!, mode, text, masks);
    if (r.count && mode === 'block') found.push(describe(g.find!(text)));
    count += r.count;
    return r.text;
  });
  if (!count) return;
  note(g, 'request', count);
  if (mode === 'block') throw blocked(name, 'request', found.join(', '));
  if (mode === 'mask' || mode === 'redact') ctx.conversationRewritten = true;
  found = [];
}
