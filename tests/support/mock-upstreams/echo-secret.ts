/**
 * A hostile-but-realistic upstream: whatever credential it receives, it echoes
 * back, the way many providers do ("Incorrect API key provided: sk-…"). One
 * server speaks every wire format, chosen by path:
 *
 * - OpenAI chat:   POST /v1/chat/completions              (base url `${url}/v1`)
 * - Responses:     POST /v1/responses                     (base url `${url}/v1`)
 * - Anthropic:     POST /v1/messages[/count_tokens]       (base url `url`)
 * - Gemini:        POST /v1beta/models/<m>:generateContent | :streamGenerateContent (base url `url`)
 *
 * It echoes the credential it was sent (Authorization bearer, x-api-key,
 * api-key, x-goog-api-key or ?key=) and the value of every request header
 * named in `echoHeaders`:
 * - a non-stream request gets an HTTP error (`status`, default 400) in the
 *   format's own error body, with the echo in its message;
 * - a stream request gets a started answer (a first text delta) and then the
 *   format's in-stream error event with the echo in its message, then the end
 *   of the stream (the way a provider fails mid-answer).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sse, startAnyWireServer, type AnyWire } from './any-wire.js';
import type { RecordedRequest } from './types.js';

export type EchoWire = AnyWire;

export interface EchoSecretUpstream {
  /** The server root; see the header comment for each format's base URL. */
  readonly url: string;
  baseUrlFor(wire: EchoWire): string;
  readonly requests: RecordedRequest[];
  /** Every echo text the mock sent, so a test can check it did send the secrets. */
  readonly echoes: string[];
  /** HTTP status of non-stream errors (default 400). */
  status: number;
  close(): Promise<void>;
}

export interface EchoSecretOptions {
  /** Request header names whose values are echoed too (lower case). */
  echoHeaders?: string[];
}

function credentialOf(req: IncomingMessage): string {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer /i.test(auth)) return auth.slice(7);
  for (const name of ['x-api-key', 'api-key', 'x-goog-api-key']) {
    const value = req.headers[name];
    if (typeof value === 'string') return value;
  }
  return new URL(req.url ?? '/', 'http://x').searchParams.get('key') ?? '(none)';
}

function errorBody(wire: EchoWire, status: number, message: string): unknown {
  switch (wire) {
    case 'openai-chat':
    case 'openai-responses':
      return { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
    case 'anthropic':
      return { type: 'error', error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message } };
    case 'gemini':
      return { error: { code: status, message, status: status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT' } };
  }
}

/** A started answer, then the format's error event. */
function streamThenFail(wire: EchoWire, res: ServerResponse, model: string, message: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const created = Math.floor(Date.now() / 1000);
  switch (wire) {
    case 'openai-chat':
      sse(res, {
        id: 'chatcmpl-echo',
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta: { role: 'assistant', content: 'Partial ' }, finish_reason: null }],
      });
      sse(res, { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      break;
    case 'openai-responses': {
      const response = { id: 'resp_echo', object: 'response', created_at: created, model, status: 'in_progress', output: [] };
      sse(res, { type: 'response.created', response, sequence_number: 0 }, 'response.created');
      sse(
        res,
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { id: 'msg_echo', type: 'message', role: 'assistant', status: 'in_progress', content: [] },
          sequence_number: 1,
        },
        'response.output_item.added',
      );
      sse(
        res,
        {
          type: 'response.content_part.added',
          item_id: 'msg_echo',
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
          sequence_number: 2,
        },
        'response.content_part.added',
      );
      sse(
        res,
        { type: 'response.output_text.delta', item_id: 'msg_echo', output_index: 0, content_index: 0, delta: 'Partial ', sequence_number: 3 },
        'response.output_text.delta',
      );
      sse(res, { type: 'error', code: 'invalid_api_key', message, param: null, sequence_number: 4 }, 'error');
      break;
    }
    case 'anthropic':
      sse(
        res,
        {
          type: 'message_start',
          message: {
            id: 'msg_echo',
            type: 'message',
            role: 'assistant',
            content: [],
            model,
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 3, output_tokens: 1 },
          },
        },
        'message_start',
      );
      sse(res, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
      sse(res, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Partial ' } }, 'content_block_delta');
      sse(res, { type: 'error', error: { type: 'authentication_error', message } }, 'error');
      break;
    case 'gemini':
      sse(res, { candidates: [{ content: { role: 'model', parts: [{ text: 'Partial ' }] }, index: 0 }], modelVersion: model });
      sse(res, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
      break;
  }
  res.end();
}

export async function startEchoSecretUpstream(options: EchoSecretOptions = {}): Promise<EchoSecretUpstream> {
  const requests: RecordedRequest[] = [];
  const echoes: string[] = [];
  const echoHeaders = options.echoHeaders ?? [];
  const state = { status: 400 };
  const server = await startAnyWireServer(
    requests,
    (req, res, { wire, body, stream }) => {
      const headerEchoes = echoHeaders.map((name) => `header ${name}=${String(req.headers[name] ?? '(none)')}`).join('; ');
      const message = `Incorrect API key provided: ${credentialOf(req)}. You sent ${headerEchoes || 'no extra headers'}.`;
      echoes.push(message);
      if (stream) return streamThenFail(wire, res, String(body?.model ?? 'echo-model'), message);
      res.writeHead(state.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorBody(wire, state.status, message)));
    },
    { anthropicCountTokens: true, geminiMethods: ['generateContent', 'streamGenerateContent', 'countTokens', 'batchEmbedContents'] },
  );
  return {
    url: server.url,
    baseUrlFor: server.baseUrlFor,
    requests,
    echoes,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: server.close,
  };
}
