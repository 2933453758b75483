/**
 * Property tests on everything that reads hostile bytes: the SSE reader, the
 * four upstream stream decoders (and the stream watch over them), the client
 * request decoders, the upstream response decoders, and the structural
 * pre-checks (JSON limits, GraphQL nesting, the tokenizer). Whatever comes in,
 * they return or refuse with a GatewayError of the right status; they never
 * throw anything else and never hang (fast-check runs them synchronously
 * under the test timeout).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GatewayError } from '../../server/core/error.js';
import type { SseMessage, StreamEvent } from '../../server/core/stream-event.js';
import type { UpstreamWire } from '../../server/core/wire.js';
import { CLIENT_FORMATS, UPSTREAM_FORMATS } from '../../server/proxy/formats/registry.js';
import { countTokens } from '../../server/proxy/formats/shared/tokens.js';
import { StreamWatch } from '../../server/proxy/pipeline/stream-watch.js';
import { SseEventTooLargeError, SseFramer } from '../../server/proxy/upstream/sse-reader.js';
import { jsonLimitViolation } from '../../server/http/json-limits.js';
import { queryShapeError } from '../../server/graphql/query-limits.js';

const RUNS = { numRuns: 500 };
// Small values, many of them: hostile shapes need no size, and the suite must stay quick.
fc.configureGlobal({ baseSize: 'small' });
const WIRES = Object.keys(UPSTREAM_FORMATS) as UpstreamWire[];

/** Event names the four wire formats use, so generated events reach the decoders' real branches. */
const EVENT_NAMES = [
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
  'error',
  'response.created',
  'response.output_item.added',
  'response.content_part.added',
  'response.output_text.delta',
  'response.function_call_arguments.delta',
  'response.output_item.done',
  'response.completed',
  'response.incomplete',
  'response.failed',
  'response.reasoning_summary_text.delta',
];
const TYPES = [...EVENT_NAMES, 'text', 'text_delta', 'input_json_delta', 'thinking_delta', 'tool_use', 'thinking', 'function_call', 'message', 'output_text'];

/** JSON that looks like the formats' own objects (known keys, hostile values) as well as anything at all. */
const shapedJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'xsmall' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(null, true, 0, -1, 1e308, '', 'stop', 'tool_calls', 'end_turn', 'STOP', 'MAX_TOKENS'),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc.record(
    {
      type: fc.oneof(fc.constantFrom(...TYPES), fc.string()),
      id: fc.oneof(fc.string(), fc.integer()),
      index: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string()),
      output_index: fc.integer({ min: -1, max: 3 }),
      content_index: fc.integer({ min: -1, max: 3 }),
      delta: fc.oneof(fc.string(), tie('value')),
      text: fc.oneof(fc.string(), tie('value')),
      content: tie('value'),
      content_block: tie('value'),
      message: tie('value'),
      response: tie('value'),
      item: tie('value'),
      choices: fc.array(fc.record({ index: fc.integer({ min: 0, max: 2 }), delta: tie('value'), finish_reason: tie('value') }, { requiredKeys: [] }), {
        maxLength: 3,
      }),
      candidates: fc.array(
        fc.record(
          { content: fc.record({ parts: fc.array(tie('value'), { maxLength: 3 }) }, { requiredKeys: [] }), finishReason: tie('value') },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      usage: tie('value'),
      usageMetadata: tie('value'),
      error: tie('value'),
      tool_calls: fc.array(tie('value'), { maxLength: 3 }),
      function: tie('value'),
      arguments: fc.oneof(fc.string(), tie('value')),
      name: tie('value'),
      stop_reason: tie('value'),
    },
    { requiredKeys: [] },
  ),
})).value;

const sseMessage: fc.Arbitrary<SseMessage> = fc.record(
  {
    event: fc.oneof(fc.constantFrom(...EVENT_NAMES), fc.string({ maxLength: 12 })),
    data: fc.oneof(
      shapedJson.map((v) => JSON.stringify(v) ?? 'null'),
      fc.constantFrom('[DONE]', '', '{', '{"choices":[', 'null', '[]', '<html>', ' '),
      fc.string(),
    ),
  },
  { requiredKeys: ['data'] },
);

const KNOWN_EVENT_TYPES = new Set<StreamEvent['type']>([
  'start',
  'text-start',
  'text-delta',
  'text-end',
  'reasoning-start',
  'reasoning-delta',
  'reasoning-signature',
  'reasoning-end',
  'tool-call-start',
  'tool-call-delta',
  'tool-call-end',
  'usage',
  'finish',
  'error',
]);

describe('stream decoders and the stream watch', () => {
  test.each(WIRES)('%s: any sequence of events → canonical events or a 502 from the watch, nothing else', (wire) => {
    fc.assert(
      fc.property(fc.array(sseMessage, { maxLength: 25 }), (messages) => {
        const decoder = UPSTREAM_FORMATS[wire].createStreamDecoder();
        const watch = new StreamWatch(wire);
        let ended = false;
        for (const message of messages) {
          const events = decoder.push(message);
          for (const event of events) expect(KNOWN_EVENT_TYPES.has(event.type)).toBe(true);
          try {
            watch.push(message, events);
          } catch (error) {
            expect(error).toBeInstanceOf(GatewayError);
            expect((error as GatewayError).status).toBe(502);
            return;
          }
          if (watch.ended) ended = true;
        }
        const closing = ended ? [] : watch.end(decoder.end());
        for (const event of closing) expect(KNOWN_EVENT_TYPES.has(event.type)).toBe(true);
        // The watch always reaches a verdict: complete, or an error somewhere.
        expect(watch.ended).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('SSE framer', () => {
  /** Each read's messages, as the framer gives them (the empty batches of reads that completed nothing left out). */
  const batchesOf = (chunks: Uint8Array[], maxEventBytes = 0) => {
    const framer = new SseFramer(maxEventBytes);
    return [...chunks.map((c) => framer.push(c)), framer.end()].filter((batch) => batch.length > 0);
  };
  const collect = async (chunks: Uint8Array[], maxEventBytes = 0): Promise<SseMessage[]> => batchesOf(chunks, maxEventBytes).flat();

  test('any bytes in any chunking → messages, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), async (chunks) => {
        const messages = await collect(chunks);
        for (const m of messages) expect(typeof m.data).toBe('string');
      }),
      RUNS,
    );
  });

  test('well-formed events survive any re-chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\r\n]/g, ' ')),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 7 }),
        async (datas, size) => {
          const bytes = Buffer.from(datas.map((d) => `data: ${d}\n\n`).join(''));
          const chunks: Uint8Array[] = [];
          for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
          const messages = await collect(chunks);
          // eventsource-parser drops the one leading space after "data:".
          expect(messages.map((m) => m.data)).toEqual(datas);
        },
      ),
      RUNS,
    );
  });

  test('one batch per read that completes events; a leading BOM is not part of the first field', async () => {
    // The second read completes no event (its blank line comes with the third).
    const reads = ['\uFEFFdata: a\n\ndata: b\n\nda', 'ta: c\n', '\nevent: x\ndata: d\n\n'].map((t) => Buffer.from(t));
    expect(batchesOf(reads)).toEqual([
      [{ data: 'a' }, { data: 'b' }],
      [{ data: 'c' }, { event: 'x', data: 'd' }],
    ]);
  });

  test('an event that grows past the cap → SseEventTooLargeError, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 64, max: 4096 }), async (cap) => {
        const endless = Array.from({ length: Math.ceil((cap * 2) / 100) + 1 }, () => Buffer.from('x'.repeat(100)));
        await expect(collect([Buffer.from('data: '), ...endless], cap)).rejects.toBeInstanceOf(SseEventTooLargeError);
      }),
      { numRuns: 30 },
    );
  });
});

describe('client request decoders', () => {
  const requestLike = fc.record(
    {
      model: fc.oneof(fc.string(), shapedJson),
      stream: fc.oneof(fc.boolean(), shapedJson),
      max_tokens: fc.oneof(fc.integer(), shapedJson),
      messages: fc.oneof(
        fc.array(
          fc.record(
            { role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool', 'developer'), fc.string()), content: shapedJson },
            { requiredKeys: [] },
          ),
          { maxLength: 4 },
        ),
        shapedJson,
      ),
      input: shapedJson,
      instructions: shapedJson,
      system: shapedJson,
      tools: fc.oneof(
        fc.array(
          fc.record(
            {
              type: fc.oneof(fc.constantFrom('function', 'custom', 'web_search'), fc.string()),
              name: shapedJson,
              function: shapedJson,
              input_schema: shapedJson,
              parameters: shapedJson,
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        shapedJson,
      ),
      tool_choice: shapedJson,
      temperature: shapedJson,
      response_format: shapedJson,
      text: shapedJson,
      stop: shapedJson,
      metadata: shapedJson,
    },
    { requiredKeys: [] },
  );

  test.each(Object.keys(CLIENT_FORMATS) as Array<keyof typeof CLIENT_FORMATS>)('%s: any body → a canonical request or a 400 GatewayError', (api) => {
    fc.assert(
      fc.property(fc.oneof(requestLike, fc.jsonValue()), (body) => {
        try {
          const request = CLIENT_FORMATS[api].decodeRequest(body);
          expect(typeof request.model).toBe('string');
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(GatewayError);
          expect((error as GatewayError).status).toBe(400);
        }
      }),
      RUNS,
    );
  });
});

describe('upstream response decoders', () => {
  test.each(WIRES)('%s: any body → a canonical response or a GatewayError', (wire) => {
    fc.assert(
      fc.property(shapedJson, (body) => {
        try {
          UPSTREAM_FORMATS[wire].decodeResponse(body);
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(GatewayError);
        }
      }),
      RUNS,
    );
  });
});

describe('structural pre-checks', () => {
  const depthOf = (value: unknown): number => (value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0);

  test('JSON limits: the depth found on raw bytes is the parsed depth', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 8 }), (value, maxDepth) => {
        const raw = Buffer.from(JSON.stringify(value));
        const violation = jsonLimitViolation(raw, { maxDepth, maxElements: 1e9 });
        expect(violation?.limit === 'depth').toBe(depthOf(value) > maxDepth);
      }),
      RUNS,
    );
  });

  test('JSON limits: any bytes → a verdict, never an exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        jsonLimitViolation(bytes, { maxDepth: 4, maxElements: 20 });
      }),
      RUNS,
    );
  });

  test('GraphQL nesting: any text → a verdict; over-nested documents are refused with 400', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 200 }), (text, levels) => {
        const doc = `${text}${'{ a '.repeat(levels)}${'}'.repeat(levels)}`;
        const error = queryShapeError(doc);
        if (!/["#{}[\]()]/.test(text) && levels > 64) expect(error?.extensions.http).toEqual({ status: 400 });
        if (!/["#{}[\]()]/.test(text) && levels <= 64) expect(error).toBeUndefined();
      }),
      RUNS,
    );
  });

  test('tokenizer: any text → a non-negative count, exact for short text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const n = countTokens(text);
        expect(n).toBeGreaterThanOrEqual(0);
        if (text.length === 0) expect(n).toBe(0);
      }),
      RUNS,
    );
  });
});
