/**
 * Reversible masking without a gateway: the placeholder map, the streamed
 * restorer (a placeholder split at every position, in text and JSON), the
 * answer hooks on canonical events and whole answers, and response-stage
 * checks on streamed text (a value split across deltas is still found).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { StreamEvent } from '../../server/core/index.js';
import { answerHooks } from '../../server/guardrails/answer-hooks.js';
import { applyToText } from '../../server/guardrails/apply-text.js';
import type { CompiledGuardrail } from '../../server/guardrails/compiled.js';
import { compileFinder } from '../../server/guardrails/find.js';
import { PlaceholderMap } from '../../server/guardrails/placeholders.js';
import { StreamRestorer } from '../../server/guardrails/stream-restore.js';
import type { GuardrailEntry } from '../../server/snapshot/guardrail-entry.js';

const pii = compileFinder({ detectors: ['email', 'phone'], patterns: [], words: [] });

function guard(mode: GuardrailEntry['mode'], detectors: string[]): CompiledGuardrail {
  const entry: GuardrailEntry = {
    id: mode,
    name: `g-${mode}`,
    mode,
    stage: 'response',
    enabled: true,
    detectors,
    patterns: [],
    words: [],
    keyIds: [],
    virtualModelIds: [],
  };
  return { entry, find: compileFinder(entry) };
}

function masked(text: string): { map: PlaceholderMap; masked: string } {
  const map = new PlaceholderMap();
  return { map, masked: applyToText(pii, 'mask', text, map).text };
}

describe('placeholders', () => {
  test('one placeholder per distinct value, numbered per kind, restored exactly', () => {
    const original = 'mail ann@example.com, then bob@example.com, again ann@example.com; call +14155552671';
    const { map, masked: text } = masked(original);
    expect(text).toBe('mail [EMAIL_1], then [EMAIL_2], again [EMAIL_1]; call [PHONE_1]');
    expect(map.restore(text)).toBe(original);
    expect(map.restore('unknown [EMAIL_9] and [NOT A PLACEHOLDER]')).toBe('unknown [EMAIL_9] and [NOT A PLACEHOLDER]');
  });

  test('in JSON text a value is written escaped', () => {
    const map = new PlaceholderMap();
    const p = map.placeholder('WORD', 'say "hi"\\');
    expect(JSON.parse(map.restore(`{"a":"${p}"}`, true))).toEqual({ a: 'say "hi"\\' });
  });
});

describe('streamed restoration', () => {
  const original = 'Dear ann@example.com, [x] we will call +14155552671 [or [EMAIL_] [EMAIL_1x] ann@example.com.';
  const { map, masked: text } = masked(original);

  test('a masked text split at every pair of positions comes back whole', () => {
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const r = new StreamRestorer(map);
        const out = r.push(text.slice(0, i)) + r.push(text.slice(i, j)) + r.push(text.slice(j)) + r.flush();
        expect(out, `split at ${i}, ${j}`).toBe(map.restore(text));
      }
    }
    expect(map.restore(text)).toBe(original);
  });

  test('any split into any number of pieces (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), text.length];
        const r = new StreamRestorer(map);
        let out = '';
        for (let k = 1; k < points.length; k++) out += r.push(text.slice(points[k - 1], points[k]));
        expect(out + r.flush()).toBe(map.restore(text));
      }),
    );
  });

  test('only a possible placeholder is held back: other text goes out at once', () => {
    const r = new StreamRestorer(map);
    expect(r.push('Hello [')).toBe('Hello ');
    expect(r.push('x')).toBe('[x');
    expect(r.push(' and [EMA')).toBe(' and ');
    expect(r.push('IL_1] ok')).toBe('ann@example.com ok');
  });
});

/** Runs events through answer hooks; returns the text and the tool arguments the client would get. */
function run(hooks: ReturnType<typeof answerHooks>, events: StreamEvent[]): { text: string; args: string; events: StreamEvent[] } {
  const out = events.flatMap((e) => hooks.onEvent!(e) ?? [e]);
  return {
    text: out.map((e) => (e.type === 'text-delta' ? e.text : '')).join(''),
    args: out.map((e) => (e.type === 'tool-call-delta' ? e.argumentsDelta : '')).join(''),
    events: out,
  };
}

const chunks = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe('answer hooks', () => {
  const { map } = masked('ann@example.com +14155552671');

  test('text and tool-call argument deltas are restored, whatever the chunk size', () => {
    const text = 'Hi [EMAIL_1], noted [PHONE_1].';
    const args = '{"to":"[EMAIL_1]","note":"[PHONE_1]"}';
    for (let size = 1; size <= args.length; size++) {
      const events: StreamEvent[] = [
        { type: 'text-start', block: 0 },
        ...chunks(text, size).map((t): StreamEvent => ({ type: 'text-delta', block: 0, text: t })),
        { type: 'text-end', block: 0 },
        { type: 'tool-call-start', block: 1, id: 'c1', name: 'send' },
        ...chunks(args, size).map((a): StreamEvent => ({ type: 'tool-call-delta', block: 1, argumentsDelta: a })),
        { type: 'tool-call-end', block: 1 },
      ];
      const got = run(
        answerHooks(map, [], () => {}),
        events,
      );
      expect(got.text).toBe('Hi ann@example.com, noted +14155552671.');
      expect(JSON.parse(got.args)).toEqual({ to: 'ann@example.com', note: '+14155552671' });
      expect(got.events.at(-1)).toEqual({ type: 'tool-call-end', block: 1 });
    }
  });

  test('a whole answer is restored', () => {
    const hooks = answerHooks(map, [], () => {});
    const response = hooks.onResponse!({
      id: 'r',
      model: 'm',
      created: 0,
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: 1 },
      content: [
        { type: 'text', text: 'to [EMAIL_1]' },
        { type: 'tool_call', id: 'c', name: 'f', arguments: '{"p":"[PHONE_1]"}' },
      ],
    });
    expect(response!.content).toEqual([
      { type: 'text', text: 'to ann@example.com' },
      { type: 'tool_call', id: 'c', name: 'f', arguments: '{"p":"+14155552671"}' },
    ]);
  });

  test('response-stage redact finds a value split across deltas, and leaves restored values alone', () => {
    const hits: number[] = [];
    const hooks = answerHooks(map, [guard('redact', ['email'])], (_g, _s, n) => hits.push(n));
    const text = `${'x'.repeat(200)} your [EMAIL_1] and leaked other@corp.example.com ${'y'.repeat(300)} end`;
    const events: StreamEvent[] = [
      { type: 'text-start', block: 0 },
      ...chunks(text, 7).map((t): StreamEvent => ({ type: 'text-delta', block: 0, text: t })),
      { type: 'text-end', block: 0 },
    ];
    const got = run(hooks, events);
    expect(got.text).toBe(`${'x'.repeat(200)} your ann@example.com and leaked [REDACTED_EMAIL] ${'y'.repeat(300)} end`);
    expect(hits.reduce((a, b) => a + b, 0)).toBe(1);
  });

  test('an answer assembled from its stream is not checked or restored a second time', () => {
    const hits: number[] = [];
    const hooks = answerHooks(map, [guard('redact', ['email'])], (_g, _s, n) => hits.push(n));
    const got = run(hooks, [
      { type: 'text-start', block: 0 },
      { type: 'text-delta', block: 0, text: 'for [EMAIL_1]' },
      { type: 'text-end', block: 0 },
    ]);
    expect(got.text).toBe('for ann@example.com');
    const assembled = {
      id: 'r',
      model: 'm',
      created: 0,
      finishReason: 'stop' as const,
      usage: { inputTokens: 1, outputTokens: 1 },
      content: [{ type: 'text' as const, text: got.text }],
    };
    expect(hooks.onResponse!(assembled)).toBeUndefined(); // the caller's own value is not redacted now
    expect(hits).toEqual([]);
  });

  test('response-stage block throws a 400 naming the guardrail', () => {
    const hooks = answerHooks(new PlaceholderMap(), [guard('block', ['secret'])], () => {});
    expect(() =>
      run(hooks, [
        { type: 'text-start', block: 0 },
        { type: 'text-delta', block: 0, text: 'key AKIAIOSFODNN7EXAMPLE' },
        { type: 'text-end', block: 0 },
      ]),
    ).toThrow(/Blocked by guardrail "g-block": the answer contains 1 SECRET/);
  });
});
