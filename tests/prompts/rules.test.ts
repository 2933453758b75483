/**
 * Prompt rules on the canonical request: each kind, order, what is never
 * touched, validation, and the regex engine's bounded time.
 */
import { describe, expect, test } from 'vitest';
import { applyPromptRules, compileRule, compileRules, RuleConfigError } from '../../server/prompts/index.js';
import { MAX_PATTERN_LENGTH } from '../../server/prompts/safe-regex.js';
import type { CanonicalRequest } from '../../server/core/index.js';

const rule = (kind: string, config: Record<string, unknown>, id = kind) => compileRule({ id, kind, config, enabled: true });

function sample(): CanonicalRequest {
  return {
    model: 'vm',
    stream: false,
    instructions: 'You are terse.',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Call Bob about the weather' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Asking Bob.' },
          { type: 'tool_call', id: 'c1', name: 'ask', arguments: '{"who":"Bob"}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'Bob says sunny' }] }] },
      { role: 'user', content: [{ type: 'text', text: 'Thanks, bob!' }] },
    ],
    tools: [{ name: 'ask', description: 'Ask Bob', parameters: { type: 'object', properties: {} } }],
  };
}

const texts = (r: CanonicalRequest, role: string) =>
  r.messages.filter((m) => m.role === role).flatMap((m) => m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])));

describe('each rule kind', () => {
  test('literal replace is case-sensitive by default, and case-insensitive when asked', () => {
    const r1 = sample();
    const fired = applyPromptRules([rule('replace', { match: 'Bob', replacement: 'Ann', scope: ['user'] })], r1);
    expect(fired).toEqual([{ id: 'replace', kind: 'replace' }]);
    expect(texts(r1, 'user')).toEqual(['Call Ann about the weather', 'Thanks, bob!']);

    const r2 = sample();
    applyPromptRules([rule('replace', { match: 'BOB', replacement: '$1 Ann', caseSensitive: false })], r2);
    expect(texts(r2, 'user')).toEqual(['Call $1 Ann about the weather', 'Thanks, $1 Ann!']);
  });

  test('regex replace with groups, limited to the chosen scope', () => {
    const r = sample();
    applyPromptRules([rule('replace', { match: '(\\w+) terse', replacement: '$1 very [terse]', regex: true, scope: ['system'] })], r);
    expect(texts(r, 'system')).toEqual(['You are very [terse].']);
    expect(texts(r, 'user')[0]).toBe('Call Bob about the weather');
  });

  test('a replace that matches nothing does not fire', () => {
    const r = sample();
    expect(applyPromptRules([rule('replace', { match: 'zzz', replacement: 'y' })], r)).toEqual([]);
  });

  test('prepend and append to the system prompt and to the last user message', () => {
    const r = sample();
    applyPromptRules(
      [
        rule('prepend', { text: 'P-SYS', target: 'system' }),
        rule('append', { text: 'A-SYS', target: 'system' }),
        rule('prepend', { text: 'P-USER', target: 'last_user' }),
        rule('append', { text: 'A-USER', target: 'last_user' }),
      ],
      r,
    );
    expect(texts(r, 'system')).toEqual(['P-SYS\n\nYou are terse.\n\nA-SYS']);
    expect(texts(r, 'user')).toEqual(['Call Bob about the weather', 'P-USER\n\nThanks, bob!\n\nA-USER']);
  });

  test('prepend to an absent system prompt creates one first', () => {
    const r = sample();
    r.messages.shift();
    applyPromptRules([rule('prepend', { text: 'NEW', target: 'system' })], r);
    expect(r.messages[0]).toEqual({ role: 'system', content: [{ type: 'text', text: 'NEW' }] });
  });

  test('set system replaces when present and inserts when absent; remove drops system and developer', () => {
    const r = sample();
    applyPromptRules([rule('set_system', { text: 'S' })], r);
    expect(texts(r, 'system')).toEqual(['S']);
    r.messages.push({ role: 'developer', content: [{ type: 'text', text: 'dev' }] });
    expect(applyPromptRules([rule('remove_system', {})], r)).toHaveLength(1);
    expect(r.messages.some((m) => m.role === 'system' || m.role === 'developer')).toBe(false);
    expect(applyPromptRules([rule('remove_system', {})], r)).toEqual([]);
    applyPromptRules([rule('set_system', { text: 'S2' })], r);
    expect(r.messages[0]).toEqual({ role: 'system', content: [{ type: 'text', text: 'S2' }] });
  });

  test('inject at the start goes after the system prompt; at the end after the last message', () => {
    const r = sample();
    applyPromptRules(
      [rule('inject_message', { role: 'user', text: 'FIRST', at: 'start' }), rule('inject_message', { role: 'assistant', text: 'LAST', at: 'end' })],
      r,
    );
    expect(r.messages[0].role).toBe('system');
    expect(r.messages[1]).toEqual({ role: 'user', content: [{ type: 'text', text: 'FIRST' }] });
    expect(r.messages.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'LAST' }] });
  });

  test('the Responses echo (request.instructions) is left as the client sent it', () => {
    const r = sample();
    applyPromptRules([rule('set_system', { text: 'operator prompt' })], r);
    expect(r.instructions).toBe('You are terse.');
  });
});

describe('order and what is never touched', () => {
  test('rules run in order: the same two rules in the other order give another result', () => {
    const append = rule('append', { text: 'X', target: 'last_user' }, 'a');
    const replace = rule('replace', { match: 'X', replacement: 'Y', scope: ['user'] }, 'b');
    const first = sample();
    expect(applyPromptRules([append, replace], first).map((f) => f.id)).toEqual(['a', 'b']);
    expect(texts(first, 'user').at(-1)).toBe('Thanks, bob!\n\nY');
    const second = sample();
    expect(applyPromptRules([replace, append], second).map((f) => f.id)).toEqual(['a']);
    expect(texts(second, 'user').at(-1)).toBe('Thanks, bob!\n\nX');
  });

  test('tool definitions, tool calls, tool results and assistant text are never rewritten', () => {
    const r = sample();
    applyPromptRules([rule('replace', { match: 'Bob', replacement: 'Ann', caseSensitive: false })], r);
    expect(r.tools).toEqual(sample().tools);
    expect(r.messages[2]).toEqual(sample().messages[2]);
    expect(r.messages[3]).toEqual(sample().messages[3]);
  });

  test('disabled rules are not compiled', () => {
    const compiled = compileRules([
      { id: 'on', kind: 'set_system', config: { text: 'a' }, enabled: true },
      { id: 'off', kind: 'set_system', config: { text: 'b' }, enabled: false },
    ]);
    expect(compiled.map((c) => c.id)).toEqual(['on']);
  });
});

describe('validation and regex safety', () => {
  test.each([
    ['(unclosed', /invalid regular expression.*missing \)/],
    ['(a)\\1', /backreferences are not supported/],
    ['(?=a)b', /lookarounds and backreferences are not supported/],
  ])('pattern %s is refused with a clear message', (pattern, message) => {
    expect(() => rule('replace', { match: pattern, replacement: '', regex: true })).toThrow(message);
  });

  test('bad configs name their field', () => {
    const error = (() => {
      try {
        rule('prepend', { text: '' });
      } catch (e) {
        return e as RuleConfigError;
      }
    })();
    expect(error).toBeInstanceOf(RuleConfigError);
    expect(error?.field).toBe('config.text');
    expect(() => rule('explode', {})).toThrow(/unknown rule kind/);
    expect(() => rule('replace', { match: 'a'.repeat(MAX_PATTERN_LENGTH + 1), regex: true })).toThrow(/at most/);
  });

  test('a pathological pattern on a long input returns in bounded time', () => {
    const evil = rule('replace', { match: '(a+)+$', replacement: 'X', regex: true, scope: ['user'] });
    const r = sample();
    r.messages[4].content = [{ type: 'text', text: `${'a'.repeat(50_000)}!` }];
    const started = performance.now();
    applyPromptRules([evil], r);
    const elapsed = performance.now() - started;
    // A backtracking engine needs astronomically long for this; RE2 is linear.
    expect(elapsed).toBeLessThan(1000);
    expect(texts(r, 'user').at(-1)).toBe(`${'a'.repeat(50_000)}!`);
    const nested = rule('replace', { match: '(x+x+)+y', replacement: 'Z', regex: true });
    const r2 = sample();
    r2.messages[4].content = [{ type: 'text', text: 'x'.repeat(100_000) }];
    const t2 = performance.now();
    applyPromptRules([nested], r2);
    expect(performance.now() - t2).toBeLessThan(1000);
  });

  test('the same compiled regex works on many requests (global state does not leak)', () => {
    const re = rule('replace', { match: 'b', replacement: 'B', regex: true, scope: ['user'] });
    for (let i = 0; i < 3; i++) {
      const r = sample();
      applyPromptRules([re], r);
      expect(texts(r, 'user')[0]).toBe('Call BoB aBout the weather');
    }
  });
});
