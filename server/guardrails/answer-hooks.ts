import type { CanonicalResponse, ContentPart, StreamEvent } from '../core/index.js';
import type { AnswerHooks } from '../proxy/pipeline/plugin.js';
import { applyToText } from './apply-text.js';
import type { CompiledGuardrail } from './compiled.js';
import type { Span } from './find.js';
import type { PlaceholderMap } from './placeholders.js';
import { blocked } from './refusals.js';
import { StreamRestorer } from './stream-restore.js';
import { StreamScanner, type PieceCheck } from './stream-scan.js';

export type NoteHit = (g: CompiledGuardrail, stage: 'request' | 'response', count: number) => void;

/**
 * The answer-side work, per attempt: response-stage guardrails check what the
 * model wrote (before restoring, so the caller's own masked values are not
 * flagged again), then placeholders are restored — in text and tool-call
 * arguments, streamed or whole. Reasoning is left alone: it is not masked on
 * the way in either, so restoring it would send the values upstream next turn.
 */
export function answerHooks(
  masks: PlaceholderMap,
  guards: readonly CompiledGuardrail[],
  note: NoteHit,
  /** Response-stage moderation of a whole answer's text (as the model wrote it: placeholders, not values). */
  moderate?: (text: string) => Promise<void>,
): AnswerHooks {
  const check = guards.length ? pieceCheck(guards, note) : undefined;
  const restoring = masks.size > 0;
  // Whole answers assembled from a stream pass through onEvent first: onResponse must not do it all again.
  let streamed = false;
  let written = '';
  const blocks = new Map<number, { json: boolean; scanner?: StreamScanner; restorer?: StreamRestorer }>();
  const open = (block: number, json: boolean) =>
    blocks.set(block, { json, scanner: check && new StreamScanner(check), restorer: restoring ? new StreamRestorer(masks, json) : undefined });
  const pass = (block: number, text: string): string => {
    const b = blocks.get(block);
    if (!b) return text;
    if (moderate && !b.json) written += text;
    const checked = b.scanner ? b.scanner.push(text) : text;
    return b.restorer ? b.restorer.push(checked) : checked;
  };
  const close = (block: number): string => {
    const b = blocks.get(block);
    if (!b) return '';
    blocks.delete(block);
    const checked = b.scanner ? b.scanner.flush() : '';
    return b.restorer ? b.restorer.push(checked) + b.restorer.flush() : checked;
  };

  return {
    onEvent(event): StreamEvent[] | void {
      streamed = true;
      switch (event.type) {
        case 'text-start':
          open(event.block, false);
          return;
        case 'tool-call-start':
          open(event.block, event.kind !== 'custom');
          return;
        case 'text-delta': {
          const text = pass(event.block, event.text);
          return text ? [{ ...event, text }] : [];
        }
        case 'tool-call-delta': {
          const argumentsDelta = pass(event.block, event.argumentsDelta);
          return argumentsDelta ? [{ ...event, argumentsDelta }] : [];
        }
        case 'text-end': {
          const rest = close(event.block);
          return rest ? [{ type: 'text-delta', block: event.block, text: rest }, event] : undefined;
        }
        case 'tool-call-end': {
          const rest = close(event.block);
          return rest ? [{ type: 'tool-call-delta', block: event.block, argumentsDelta: rest }, event] : undefined;
        }
        case 'start':
        case 'reasoning-start':
        case 'reasoning-delta':
        case 'reasoning-signature':
        case 'reasoning-end':
        case 'usage':
        case 'finish':
        case 'error':
          return;
        default: {
          const _exhaustive: never = event;
          return _exhaustive;
        }
      }
    },
    onResponse(response): CanonicalResponse | void {
      if (streamed) return;
      if (moderate) written = response.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
      const whole = (text: string, json: boolean) => {
        const checked = check ? check.apply(text) : text;
        return restoring ? masks.restore(checked, json) : checked;
      };
      const content = response.content.map((part): ContentPart => {
        if (part.type === 'text') return { ...part, text: whole(part.text, false) };
        if (part.type === 'tool_call') return { ...part, arguments: whole(part.arguments, part.kind !== 'custom') };
        return part;
      });
      return { ...response, content };
    },
    ...(moderate ? { beforeAnswer: () => moderate(written) } : {}),
  };
}

/** The response-stage guardrails as one check: `mask` acts as `redact` here (there is nothing to restore an answer's values to). */
function pieceCheck(guards: readonly CompiledGuardrail[], note: NoteHit): PieceCheck {
  return {
    find(text) {
      const spans: Span[] = [];
      for (const g of guards) spans.push(...g.find!(text));
      return spans;
    },
    apply(text) {
      let out = text;
      for (const g of guards) {
        const mode = g.entry.mode === 'mask' ? 'redact' : g.entry.mode;
        const r = applyToText(g.find!, mode, out, undefined);
        if (!r.count) continue;
        note(g, 'response', r.count);
        if (mode === 'block') throw blocked(g.entry.name, 'response', describe(g.find!(out)));
        out = r.text;
      }
      return out;
    },
  };
}

/** What was found, by kind and count (`2 EMAIL, 1 PHONE`); never the values. */
export function describe(spans: readonly Span[]): string {
  const counts = new Map<string, number>();
  for (const s of spans) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  return [...counts].map(([label, n]) => `${n} ${label}`).join(', ');
}
