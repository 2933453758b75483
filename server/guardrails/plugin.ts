import type { GenerationContext, ProxyPlugin, RequestHooks } from '../proxy/pipeline/plugin.js';
import type { Resolved } from '../proxy/pipeline/resolve-model.js';
import { answerHooks, describe, type NoteHit } from './answer-hooks.js';
import { applyToText } from './apply-text.js';
import { guardrailSet, type CompiledGuardrail, type GuardrailSet } from './compiled.js';
import { moderate, moderationText, moderationUnavailable } from './moderation.js';
import { PlaceholderMap } from './placeholders.js';
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
 * attached to anything.
 */
export function useGuardrails(): ProxyPlugin {
  return {
    name: 'guardrails',
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

/** Counts per guardrail and stage on the context, for the request log and metrics (never the values). */
function hitRecorder(ctx: GenerationContext): NoteHit {
  return (g, stage, count) => {
    const hits = (ctx.guardrails ??= []);
    const known = hits.find((h) => h.name === g.entry.name && h.stage === stage);
    if (known) known.count += count;
    else hits.push({ name: g.entry.name, mode: g.entry.mode, stage, count });
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

/** One moderation check of a request's text (masked values already replaced) or of an answer's. */
async function moderateText(ctx: GenerationContext, g: CompiledGuardrail, stage: 'request' | 'response', text: string, note: NoteHit): Promise<void> {
  const settings = g.entry.moderation!;
  const model = ctx.deps.snapshot.current.modelsByName.get(settings.model);
  let flagged: boolean;
  try {
    if (!model) throw new Error(`no model named "${settings.model}"`);
    flagged = (await moderate(settings, model, text, ctx.abort.signal)).flagged;
  } catch (error) {
    if (ctx.abort.signal.aborted) throw error;
    ctx.deps.logger.warn({ guardrail: g.entry.name, err: error }, 'guardrail moderation check failed');
    if (settings.failClosed) throw moderationUnavailable(g.entry.name, error);
    return;
  }
  if (!flagged) return;
  note(g, stage, 1);
  if (g.entry.mode === 'block') throw blocked(g.entry.name, stage, 'content the moderation model flagged');
}
