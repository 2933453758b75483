import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ModelEntry } from '../../snapshot/types.js';
import { GatewayError } from '../../core/error.js';
import type { SseMessage } from '../../core/stream-event.js';
import { defaultHeaders } from '../providers/request-defaults.js';
import { UPSTREAM_FORMATS } from '../formats/registry.js';
import { timeoutsOf, upstreamHeaders, upstreamPrepare, upstreamUrl, wireOf, type UpstreamOperation } from '../providers/endpoints.js';
import { sendUpstream, sendUpstreamWhole, type UpstreamCall, type WholeResponse } from '../upstream/http-client.js';
import { mediaType, sendUpstreamStream, type StreamResponse } from '../upstream/message-stream.js';
import { framerFor, isStreamContentType } from '../upstream/stream-reader.js';
import { MAX_ERROR_BODY, readErrorBody, upstreamHttpError, upstreamTransportError } from '../upstream/upstream-error.js';
import { scrubText } from '../../secrets/redactor.js';
import type { AbortLike } from '../../http/light-abort.js';

type OnSend = (url: string, headers: Record<string, string>) => void;

/** The call as it goes out: URL, headers (the provider's, the protocol's, the model's defaults), timeouts, credential step. */
function upstreamCall(
  model: ModelEntry,
  op: UpstreamOperation,
  body: string | Buffer,
  signal: AbortLike,
  protocolHeaders: Record<string, string>,
  onSend?: OnSend,
): UpstreamCall {
  const provider = model.provider;
  const url = upstreamUrl(model, op);
  const headers = { ...upstreamHeaders(provider, protocolHeaders), ...lowerCaseKeys(defaultHeaders(model)) };
  onSend?.(url, headers);
  return { url, headers, body, timeouts: timeoutsOf(provider), signal, prepare: upstreamPrepare(provider) };
}

/** An error status as the GatewayError the client is told. */
function httpError(model: ModelEntry, status: number, headers: IncomingHttpHeaders, text: string): GatewayError {
  const retryAfter = headers['retry-after'];
  return upstreamHttpError(status, text, typeof retryAfter === 'string' ? retryAfter : undefined, UPSTREAM_FORMATS[wireOf(model.provider)], model.provider);
}

/**
 * Sends one request to a model's upstream; the body is read as it arrives.
 * Transport failures and HTTP errors come back as GatewayErrors already mapped
 * for the client (502/504, the request's own 4xx, 429 with retry-after,
 * credentials failures without the key).
 */
export async function callUpstream(
  model: ModelEntry,
  op: UpstreamOperation,
  body: string | Buffer,
  signal: AbortLike,
  protocolHeaders: Record<string, string> = {},
  /** Told the URL and headers as sent (before the provider's credential step), for the request log. */
  onSend?: OnSend,
): Promise<Dispatcher.ResponseData> {
  let response: Dispatcher.ResponseData;
  try {
    response = await sendUpstream(upstreamCall(model, op, body, signal, protocolHeaders, onSend));
  } catch (error) {
    throw upstreamTransportError(error, model.provider);
  }
  if (response.statusCode >= 400) throw httpError(model, response.statusCode, response.headers, await readErrorBody(response.body));
  return response;
}

export interface JsonCallOptions {
  /** MAX_UPSTREAM_RESPONSE_BYTES: a bigger answer (declared or as it arrives) is refused with a 502 rather than held in memory. */
  maxBytes: number;
  protocolHeaders?: Record<string, string>;
  onSend?: OnSend;
  /** Called once the upstream answered with a success status, before the body. */
  onResponse?: () => void;
}

/**
 * Sends one request and reads the whole JSON answer; errors as callUpstream's.
 * A broken connection or non-JSON body is the upstream's fault (502).
 */
export async function callUpstreamJson(
  model: ModelEntry,
  op: UpstreamOperation,
  body: string | Buffer,
  signal: AbortLike,
  options: JsonCallOptions,
): Promise<{ text: string; json: unknown }> {
  let response: WholeResponse;
  try {
    response = await sendUpstreamWhole(upstreamCall(model, op, body, signal, options.protocolHeaders ?? {}, options.onSend), {
      maxBytes: options.maxBytes,
      tooLarge: () => answerTooLarge(model, options.maxBytes),
      errorBytes: MAX_ERROR_BODY,
      onSuccessHeaders: options.onResponse,
    });
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw upstreamTransportError(error, model.provider);
  }
  if (response.statusCode >= 400) throw httpError(model, response.statusCode, response.headers, response.text);
  return parseAnswer(response.text, model);
}

function answerTooLarge(model: ModelEntry, maxBytes: number): GatewayError {
  return new GatewayError({
    status: 502,
    kind: 'upstream',
    code: 'upstream_response_too_large',
    message: `The provider "${model.provider.name}" sent an answer larger than ${maxBytes} bytes (MAX_UPSTREAM_RESPONSE_BYTES)`,
  });
}

function parseAnswer(text: string, model: ModelEntry): { text: string; json: unknown } {
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    throw new GatewayError({ status: 502, kind: 'upstream', message: `The provider "${model.provider.name}" returned a response that is not JSON` });
  }
}

/** Reads a whole JSON answer of a response already received (media endpoints), at most `maxBytes` (MAX_UPSTREAM_RESPONSE_BYTES). */
export async function readUpstreamJson(response: Dispatcher.ResponseData, model: ModelEntry, maxBytes: number): Promise<{ text: string; json: unknown }> {
  const tooLarge = () => answerTooLarge(model, maxBytes);
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    response.body.destroy();
    throw tooLarge();
  }
  let text: string;
  try {
    text = await readAll(response.body, maxBytes, tooLarge);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw upstreamTransportError(error, model.provider);
  }
  return parseAnswer(text, model);
}

/**
 * The whole body as text, refused (and the body destroyed) once it passes `maxBytes`. Listeners rather than
 * `for await`: an async iterator costs a promise per chunk on every answer.
 */
function readAll(body: Dispatcher.ResponseData['body'], maxBytes: number, tooLarge: () => Error): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      body.off('data', onData);
      body.destroy();
      reject(tooLarge());
    };
    body.on('data', onData);
    body.once('error', reject);
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
  });
}

export interface StreamCallOptions {
  /** MAX_UPSTREAM_RESPONSE_BYTES: the most one message may grow to before it is complete. */
  maxEventBytes: number;
  /** Longest the whole stream may take from its headers (0 = none). */
  totalMs: number;
  /**
   * A stream was asked for: anything but the wire's stream type (an HTML error
   * page, a JSON error with status 200) is refused before a byte reaches the
   * client, so another target can still be tried. A missing content-type is let
   * through; the stream watch judges the events themselves.
   */
  expectStream?: boolean;
  protocolHeaders?: Record<string, string>;
  onSend?: OnSend;
}

/**
 * Sends one request whose answer is read as a stream of messages (SSE, or
 * Bedrock's event-stream frames), in batches as they arrive; errors as
 * callUpstream's. A failure while reading (cut off, a message too large, past
 * the total deadline) rejects the batch read, for the stream watch to judge.
 */
export async function callUpstreamStream(
  model: ModelEntry,
  op: UpstreamOperation,
  body: string | Buffer,
  signal: AbortLike,
  options: StreamCallOptions,
): Promise<AsyncIterable<SseMessage[]>> {
  const wire = wireOf(model.provider);
  const framer = await framerFor(wire, options.maxEventBytes);
  let response: StreamResponse;
  try {
    response = await sendUpstreamStream(upstreamCall(model, op, body, signal, options.protocolHeaders ?? {}, options.onSend), {
      framer,
      totalMs: options.totalMs,
      errorBytes: MAX_ERROR_BODY,
      isStream: options.expectStream ? (type) => !type || isStreamContentType(wire, type) : undefined,
    });
  } catch (error) {
    throw upstreamTransportError(error, model.provider);
  }
  if (response.statusCode >= 400) throw httpError(model, response.statusCode, response.headers, response.text ?? '');
  if (response.messages) return response.messages;
  throw notAStream(model, response.headers['content-type'], response.text);
}

function notAStream(model: ModelEntry, header: string | string[] | undefined, text: string): GatewayError {
  const type = mediaType(header);
  let detail = '';
  if (type.includes('json')) {
    try {
      detail = UPSTREAM_FORMATS[wireOf(model.provider)].decodeErrorMessage(502, JSON.parse(text));
    } catch {
      // not JSON after all: no detail
    }
  }
  return new GatewayError({
    status: 502,
    kind: 'upstream',
    code: 'upstream_bad_stream',
    message: scrubText(
      `The provider "${model.provider.name}" answered a stream request with ${type} instead of an event stream${detail ? `: ${detail}` : ''}`,
      [model.provider.apiKey],
    ),
  });
}

/** Client headers that belong to the Anthropic protocol and travel upstream with it. */
export function anthropicProtocolHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
