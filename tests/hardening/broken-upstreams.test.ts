/**
 * Every stream ends honestly: for every client API × upstream wire format,
 * passed through (same format) or translated, an upstream that breaks after
 * the answer started (cut connection, body ending without the final event,
 * garbage, half JSON, a wrong shape, a trickle that never ends, one endless
 * event) ends the client's stream with its own format's error event, and the
 * request log row says how it ended. Upstreams that break before the first
 * event (HTML, a JSON body where a stream was asked) get a plain error answer;
 * a whole answer that never ends is cut at the size cap.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RequestRecord } from '../../server/core/request-record.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startBrokenUpstream, type BrokenFault, type BrokenUpstream, type BrokenWire } from '../support/mock-upstreams/broken.js';
import { anthropicClient, createKey, createModel, createProvider, openaiClient, parseSse, postRaw } from '../support/proxy-fixture.js';
import { waitFor } from '../support/wait.js';
import { ANY_WIRE_PROVIDERS as WIRES } from '../support/mock-upstreams/any-wire.js';
import { CLIENT_APIS as CLIENTS, CLIENT_PATHS as PATHS, clientBody as bodyFor, type ClientApi } from '../support/client-apis.js';

/** The client API whose wire format is the upstream's own (the stream is forwarded as received). */
const NATIVE: Partial<Record<BrokenWire, ClientApi>> = { 'openai-chat': 'chat-completions', 'openai-responses': 'responses', anthropic: 'messages' };

const MAX_UPSTREAM_RESPONSE_BYTES = 256 * 1024;
const STREAM_TOTAL_MS = 1500;
const CHAT_PROVIDER_TOTAL_MS = 600;

/** The error event of the client's own format at the end of the stream, or undefined. */
function trailingError(api: ClientApi, events: Array<{ event?: string; data: any }>): string | undefined {
  const last = events.filter((e) => !(api === 'chat-completions' && e.data === '[DONE]')).at(-1);
  if (!last) return undefined;
  switch (api) {
    case 'chat-completions':
      return typeof last.data?.error?.message === 'string' ? last.data.error.message : undefined;
    case 'responses':
      return last.event === 'response.failed' || last.event === 'error' ? (last.data?.response?.error?.message ?? last.data?.message) : undefined;
    case 'messages':
      return last.event === 'error' ? last.data?.error?.message : undefined;
  }
}

/** The text the client received before the error. */
function receivedText(api: ClientApi, events: Array<{ event?: string; data: any }>): string {
  let text = '';
  for (const { event, data } of events) {
    if (api === 'chat-completions') text += data?.choices?.[0]?.delta?.content ?? '';
    else if (api === 'responses' && event === 'response.output_text.delta') text += data.delta;
    else if (api === 'messages' && event === 'content_block_delta') text += data.delta?.text ?? '';
  }
  return text;
}

let gw: TestGateway;
let broken: BrokenUpstream;
let appKey: string;
const records: RequestRecord[] = [];
const modelOf = (wire: BrokenWire) => `broken-${wire}`;

beforeAll(async () => {
  broken = await startBrokenUpstream();
  gw = await startTestGateway({
    MAX_UPSTREAM_RESPONSE_BYTES: String(MAX_UPSTREAM_RESPONSE_BYTES),
    UPSTREAM_STREAM_TOTAL_MS: String(STREAM_TOTAL_MS),
  });
  gw.services.recorder.subscribe((record) => void records.push(record));
  for (const { wire, providerType, upstreamModel } of WIRES) {
    const providerId = await createProvider(gw, {
      name: `broken-${wire}`,
      type: providerType,
      baseUrl: broken.baseUrlFor(wire),
      // One provider overrides the instance's total stream deadline.
      ...(wire === 'openai-chat' ? { options: { timeouts: { totalMs: CHAT_PROVIDER_TOTAL_MS } } } : {}),
    });
    await createModel(gw, providerId, modelOf(wire), upstreamModel);
  }
  appKey = (await createKey(gw)).key;
});
afterAll(async () => {
  await gw?.stop();
  await broken?.close();
});

/** Sends one request and returns the client's view and the one log row it left. */
async function run(api: ClientApi, wire: BrokenWire, fault: BrokenFault, stream = true) {
  broken.fault = fault;
  const before = records.length;
  const started = Date.now();
  const res = await postRaw(gw, PATHS[api], bodyFor(api, modelOf(wire), stream), { authorization: `Bearer ${appKey}` });
  const elapsedMs = Date.now() - started;
  await waitFor(() => records.length > before, { what: 'the request log row' });
  // Exactly one row per request.
  await new Promise((r) => setTimeout(r, 20));
  expect(records.length - before).toBe(1);
  return { res, events: res.headers.get('content-type')?.includes('text/event-stream') ? parseSse(res.text) : [], record: records.at(-1)!, elapsedMs };
}

const MID_STREAM_FAULTS: Array<{ fault: BrokenFault; status: number; message: RegExp }> = [
  { fault: 'truncate', status: 502, message: /Could not reach|ended before|closed the stream|before the answer was complete/i },
  { fault: 'end-early', status: 502, message: /before its final event|before message_stop|before the answer was complete|ended|closed the stream/i },
  { fault: 'garbage', status: 502, message: /not valid JSON/i },
  { fault: 'invalid-json', status: 502, message: /not valid JSON/i },
  { fault: 'wrong-shape', status: 502, message: /not valid JSON/i },
  { fault: 'never-ends', status: 504, message: /did not finish its stream within/i },
  { fault: 'huge-event', status: 502, message: /larger than/i },
];

describe.each(WIRES.map((w) => w.wire))('upstream %s', (wire) => {
  describe.each(CLIENTS)('client %s', (api) => {
    const mode = NATIVE[wire] === api ? 'passthrough' : 'translated';

    test(`a good stream (${mode}) is complete and logged as 200`, async () => {
      const { res, events, record } = await run(api, wire, 'complete');
      expect(res.status).toBe(200);
      expect(trailingError(api, events)).toBeUndefined();
      expect(receivedText(api, events)).toBe('Hello world');
      expect(record).toMatchObject({ status: 200, stream: true });
      expect(record.errorClass).toBeUndefined();
    });

    for (const { fault, status, message } of MID_STREAM_FAULTS) {
      // Gemini has no final event: a body that ends cleanly after a started answer is its normal end.
      if (wire === 'gemini' && fault === 'end-early') continue;
      test(`${fault} (${mode}) → the client's error event, log row ${status}`, async () => {
        const { res, events, record, elapsedMs } = await run(api, wire, fault);
        expect(res.status).toBe(200); // committed: the first delta was already sent
        expect(receivedText(api, events)).toBe('Hello');
        const error = trailingError(api, events);
        expect(error, `no error event at the end of: ${res.text.slice(-400)}`).toBeTruthy();
        expect(error).toMatch(message);
        expect(record.status).toBe(status);
        expect(record.errorMessage).toMatch(message);
        if (fault === 'never-ends') {
          const deadline = wire === 'openai-chat' ? CHAT_PROVIDER_TOTAL_MS : STREAM_TOTAL_MS;
          expect(elapsedMs).toBeGreaterThanOrEqual(deadline - 50);
          // The provider's own timeouts.totalMs wins over the instance default.
          expect(elapsedMs).toBeLessThan(wire === 'openai-chat' ? STREAM_TOTAL_MS - 100 : deadline + 2000);
        }
      });
    }

    test(`an HTML page instead of a stream → 502 in the client's format before any event`, async () => {
      const { res, record } = await run(api, wire, 'html');
      expect(res.status).toBe(502);
      expect(JSON.stringify(res.json)).toContain('text/html');
      expect(record.status).toBe(502);
    });

    test(`a JSON error body instead of a stream → 502 with its message`, async () => {
      const { res, record } = await run(api, wire, 'json-instead-of-stream');
      expect(res.status).toBe(502);
      expect(JSON.stringify(res.json)).toContain('application/json');
      expect(record.status).toBe(502);
    });

    test('the whole stream, then a reset connection → complete, logged as 200', async () => {
      const { res, events, record } = await run(api, wire, 'complete-then-reset');
      expect(res.status).toBe(200);
      expect(receivedText(api, events)).toBe('Hello world');
      expect(trailingError(api, events)).toBeUndefined();
      expect(record.status).toBe(200);
    });

    test('a whole answer that never ends → 502 at MAX_UPSTREAM_RESPONSE_BYTES', async () => {
      const { res, record } = await run(api, wire, 'huge-body', false);
      expect(res.status).toBe(502);
      expect(JSON.stringify(res.json)).toContain('MAX_UPSTREAM_RESPONSE_BYTES');
      expect(record).toMatchObject({ status: 502, stream: false });
    });
  });
});

describe('the official SDKs see the failure', () => {
  test('OpenAI chat over a truncated passthrough stream: iteration throws', async () => {
    broken.fault = 'truncate';
    const stream = await openaiClient(gw, appKey).chat.completions.create({
      model: modelOf('openai-chat'),
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })(),
    ).rejects.toThrow();
    expect(text).toBe('Hello');
  });

  test('Anthropic over a garbage passthrough stream: iteration throws', async () => {
    broken.fault = 'garbage';
    const stream = await anthropicClient(gw, appKey).messages.create({
      model: modelOf('anthropic'),
      stream: true,
      max_tokens: 32,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(
      (async () => {
        for await (const _event of stream) void _event;
      })(),
    ).rejects.toThrow(/not valid JSON/);
  });

  test('OpenAI Responses over a stream ending early: a response.failed event, no response.completed', async () => {
    broken.fault = 'end-early';
    const stream = await openaiClient(gw, appKey).responses.create({ model: modelOf('openai-responses'), stream: true, input: 'hi' });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toContain('response.failed');
    expect(types).not.toContain('response.completed');
  });
});
