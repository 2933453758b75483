/**
 * The AWS event-stream framer on its own: frames arriving split anywhere (down to one
 * byte at a time) or several in one chunk decode to the same messages, exception frames
 * name their type, a damaged CRC or a frame cut at the end is a 502, and a frame bigger
 * than the cap is refused from its declared length before it is buffered.
 */
import { describe, expect, test } from 'vitest';
import { GatewayError } from '../../server/core/error.js';
import { EventStreamFramer } from '../../server/proxy/upstream/event-stream-reader.js';
import { framerFor } from '../../server/proxy/upstream/stream-reader.js';
import { SseEventTooLargeError } from '../../server/proxy/upstream/sse-reader.js';
import { eventFrame, exceptionFrame } from '../support/mock-upstreams/bedrock.js';

async function collect(parts: Uint8Array[], maxEventBytes = 0) {
  const framer = await EventStreamFramer.create(maxEventBytes);
  const messages = [...parts.flatMap((p) => framer.push(p)), ...framer.end()];
  return messages.map((m) => ({ event: m.event, data: JSON.parse(m.data) }));
}

const frames = [
  eventFrame('messageStart', { role: 'assistant' }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
  eventFrame('metadata', { usage: { inputTokens: 1 } }),
];
const whole = Buffer.concat(frames);
const expected = [
  { event: 'messageStart', data: expect.objectContaining({ role: 'assistant' }) },
  { event: 'contentBlockDelta', data: expect.objectContaining({ delta: { text: 'Hi' } }) },
  { event: 'metadata', data: expect.objectContaining({ usage: { inputTokens: 1 } }) },
];

describe('event-stream reader', () => {
  test('all frames in one chunk', async () => {
    expect(await collect([whole])).toEqual(expected);
  });

  test('one byte at a time', async () => {
    expect(await collect([...whole].map((b) => Uint8Array.of(b)))).toEqual(expected);
  });

  test('split at every position of a two-chunk stream', async () => {
    for (let cut = 1; cut < whole.length; cut += 7) expect(await collect([whole.subarray(0, cut), whole.subarray(cut)])).toEqual(expected);
  });

  test('an exception frame carries its :exception-type as the event', async () => {
    expect(await collect([exceptionFrame('throttlingException', 'slow down')])).toEqual([{ event: 'throttlingException', data: { message: 'slow down' } }]);
  });

  test('a damaged message CRC is a broken upstream (502)', async () => {
    const bad = Buffer.from(frames[1]);
    bad[bad.length - 5] ^= 0x01;
    const error = await collect([frames[0], bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_bad_stream' });
  });

  test('a stream that ends inside a frame is a broken upstream', async () => {
    const error = await collect([whole.subarray(0, whole.length - 3)]).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, message: expect.stringContaining('ended inside a frame') });
  });

  test('a frame larger than the cap is refused from its declared length', async () => {
    const big = eventFrame('contentBlockDelta', { delta: { text: 'x'.repeat(5000) } });
    // Only the prelude arrives: the reader refuses before buffering the rest.
    const error = await collect([big.subarray(0, 12)], 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseEventTooLargeError);
  });

  test('the framer is chosen by wire format', async () => {
    const bedrock = (await framerFor('bedrock-converse')).push(frames[0]);
    const sse = (await framerFor('openai-chat')).push(Buffer.from('data: {"a":1}\n\n'));
    expect([...bedrock.map((m) => m.event), ...sse.map((m) => m.data)]).toEqual(['messageStart', '{"a":1}']);
  });
});
