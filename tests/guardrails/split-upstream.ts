/**
 * A scripted loopback upstream for the split tests: it streams one answer —
 * text, or a tool call's arguments — in two deltas cut at a chosen offset, in
 * the OpenAI chat or the Anthropic Messages wire format, and records what it
 * was sent.
 */
import type { ServerResponse } from 'node:http';
import { startCustomUpstream, type CustomUpstream } from '../support/proxy-fixture.js';

export interface Split {
  kind: 'text' | 'tool';
  /** The whole text (or arguments JSON) the model "writes". */
  content: string;
  /** Where it is cut into two deltas. */
  at: number;
}

const sse = (res: ServerResponse, lines: Array<[string | undefined, unknown]>) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const [event, data] of lines) res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  res.end();
};

function chatStream(res: ServerResponse, split: Split): void {
  const chunk = (delta: unknown, finish: string | null = null) => ({
    id: 'chatcmpl-s',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'split',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const parts = [split.content.slice(0, split.at), split.content.slice(split.at)];
  const deltas =
    split.kind === 'text'
      ? parts.map((content) => chunk({ content }))
      : [
          chunk({ tool_calls: [{ index: 0, id: 'call_s', type: 'function', function: { name: 'send_mail', arguments: '' } }] }),
          ...parts.map((a) => chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] })),
        ];
  sse(res, [
    [undefined, chunk({ role: 'assistant', content: '' })],
    ...deltas.map((d): [undefined, unknown] => [undefined, d]),
    [undefined, { ...chunk({}, split.kind === 'text' ? 'stop' : 'tool_calls'), usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } }],
    [undefined, '[DONE]'],
  ]);
}

function anthropicStream(res: ServerResponse, split: Split): void {
  const parts = [split.content.slice(0, split.at), split.content.slice(split.at)];
  const block = split.kind === 'text' ? { type: 'text', text: '' } : { type: 'tool_use', id: 'toolu_s', name: 'send_mail', input: {} };
  const delta = (p: string) => (split.kind === 'text' ? { type: 'text_delta', text: p } : { type: 'input_json_delta', partial_json: p });
  sse(res, [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: 'msg_s',
          type: 'message',
          role: 'assistant',
          model: 'split',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 5, output_tokens: 0 },
        },
      },
    ],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: block }],
    ...parts.map((p): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: delta(p) }]),
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      { type: 'message_delta', delta: { stop_reason: split.kind === 'text' ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: 5 } },
    ],
    ['message_stop', { type: 'message_stop' }],
  ]);
}

export interface SplitUpstream extends CustomUpstream {
  next: Split;
}

export async function startSplitUpstream(): Promise<SplitUpstream> {
  const state = { next: { kind: 'text', content: '', at: 0 } as Split };
  const upstream = await startCustomUpstream((req, _body, res) => {
    if (req.url?.startsWith('/v1/chat/completions')) return chatStream(res, state.next);
    if (req.url?.startsWith('/v1/messages')) return anthropicStream(res, state.next);
    res.writeHead(404).end();
  });
  // What the next answer is: set by the test before each request.
  return Object.defineProperty(upstream, 'next', { get: () => state.next, set: (split: Split) => (state.next = split) }) as SplitUpstream;
}
