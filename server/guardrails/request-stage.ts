import type { ProxyContext } from '../proxy/pipeline/plugin.js';
import type { NoteHit } from './answer-hooks.js';
import type { CompiledGuardrail } from './compiled.js';
import { moderate, moderationUnavailable } from './moderation.js';
import { blocked } from './refusals.js';

/** Shared by the generation hooks (plugin.ts) and the embeddings check (embeddings.ts). */

/** Counts per guardrail and stage on the context, for the request log and metrics (never the values). */
export function hitRecorder(ctx: ProxyContext): NoteHit {
  return (g, stage, count) => {
    const hits = (ctx.guardrails ??= []);
    const known = hits.find((h) => h.name === g.entry.name && h.stage === stage);
    if (known) known.count += count;
    else hits.push({ name: g.entry.name, mode: g.entry.mode, stage, count });
  };
}

/** One moderation check of a request's text (masked values already replaced) or of an answer's. */
export async function moderateText(ctx: ProxyContext, g: CompiledGuardrail, stage: 'request' | 'response', text: string, note: NoteHit): Promise<void> {
  const settings = g.entry.moderation!;
  const model = ctx.deps.snapshot.current.modelsByName.get(settings.model);
  let flagged: boolean;
  try {
    if (!model) throw new Error(`no model named "${settings.model}"`);
    flagged = (await moderate(settings, model, text, ctx.abort.signal)).flagged;
  } catch (error) {
    if (ctx.abort.aborted) throw error;
    ctx.deps.logger.warn({ guardrail: g.entry.name, err: error }, 'guardrail moderation check failed');
    if (settings.failClosed) throw moderationUnavailable(g.entry.name, error);
    return;
  }
  if (!flagged) return;
  note(g, stage, 1);
  if (g.entry.mode === 'block') throw blocked(g.entry.name, stage, 'content the moderation model flagged');
}
