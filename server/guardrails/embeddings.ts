import type { ProxyContext } from '../proxy/pipeline/plugin.js';
import { describe } from './answer-hooks.js';
import { applyToText } from './apply-text.js';
import { guardrailSet } from './compiled.js';
import { hitRecorder, moderateText } from './request-stage.js';
import { blocked, misconfigured } from './refusals.js';

/**
 * `/v1/embeddings` inputs (the text ones; token-id arrays carry no readable
 * text) checked by the request-stage guardrails of the caller's key, in name
 * order: `mask` acts as `redact` (a vector has nothing to restore values
 * into), `block` refuses with 400 before any upstream call, `log` counts, and
 * a moderation guardrail judges the inputs joined by newlines. Counts reach
 * the request log and metrics like those of a generation; values never do.
 */
export async function guardEmbeddingInputs(ctx: ProxyContext, texts: readonly string[]): Promise<readonly string[] | undefined> {
  const set = guardrailSet(ctx.deps.snapshot.current);
  if (!set || !ctx.key) return undefined;
  const active = (set.byKey.get(ctx.key.id) ?? []).filter((g) => g.entry.stage !== 'response');
  if (!active.length) return undefined;
  const note = hitRecorder(ctx);
  let out = texts;
  for (const g of active) {
    if (g.broken) throw misconfigured(g.entry.name, g.broken);
    const find = g.find;
    if (find) {
      let count = 0;
      const found: string[] = [];
      out = out.map((text) => {
        const r = applyToText(find, g.entry.mode, text, undefined);
        if (r.count && g.entry.mode === 'block') found.push(describe(find(text)));
        count += r.count;
        return r.text;
      });
      if (count) {
        note(g, 'request', count);
        if (g.entry.mode === 'block') throw blocked(g.entry.name, 'request', found.join(', '));
      }
    }
    if (g.entry.moderation) await moderateText(ctx, g, 'request', out.join('\n'), note);
  }
  return out;
}
