import type { Dispatcher } from 'undici';
import type { ModelEntry } from '../../snapshot/types.js';
import { GatewayError } from '../canonical/error.js';
import { defaultHeaders } from './request-defaults.js';
import { UPSTREAM_FORMATS } from '../formats/registry.js';
import { timeoutsOf, upstreamHeaders, upstreamUrl, wireOf, type UpstreamOperation } from '../providers/endpoints.js';
import { sendUpstream } from '../upstream/http-client.js';
import { readErrorBody, upstreamHttpError, upstreamTransportError } from '../upstream/upstream-error.js';

/**
 * Sends one request to a model's upstream. Transport failures and HTTP errors
 * come back as GatewayErrors already mapped for the client (502/504, the
 * request's own 4xx, 429 with retry-after, credentials failures without the key).
 */
export async function callUpstream(
  model: ModelEntry,
  op: UpstreamOperation,
  body: string | Buffer,
  signal: AbortSignal,
  protocolHeaders: Record<string, string> = {},
): Promise<Dispatcher.ResponseData> {
  const provider = model.provider;
  let response: Dispatcher.ResponseData;
  try {
    response = await sendUpstream({
      url: upstreamUrl(model, op),
      headers: { ...upstreamHeaders(provider, protocolHeaders), ...lowerCaseKeys(defaultHeaders(model)) },
      body,
      timeouts: timeoutsOf(provider),
      signal,
    });
  } catch (error) {
    throw upstreamTransportError(error, provider);
  }
  if (response.statusCode >= 400) {
    const retryAfter = response.headers['retry-after'];
    throw upstreamHttpError(
      response.statusCode,
      await readErrorBody(response.body),
      typeof retryAfter === 'string' ? retryAfter : undefined,
      UPSTREAM_FORMATS[wireOf(provider)],
      provider,
    );
  }
  return response;
}

/** Reads a whole upstream JSON answer; a broken connection or non-JSON body is the upstream's fault (502). */
export async function readUpstreamJson(response: Dispatcher.ResponseData, model: ModelEntry): Promise<{ text: string; json: unknown }> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw upstreamTransportError(error, model.provider);
  }
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    throw new GatewayError({ status: 502, kind: 'upstream', message: `The provider "${model.provider.name}" returned a response that is not JSON` });
  }
}

/** Client headers that belong to the Anthropic protocol and travel upstream with it. */
export function anthropicProtocolHeaders(headers: import('node:http').IncomingHttpHeaders): Record<string, string> {
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
