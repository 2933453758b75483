/**
 * Mock Amazon Bedrock Runtime for Anthropic models through InvokeModel, on 127.0.0.1.
 *
 * Routes: POST /model/{modelId}/invoke (the Anthropic Messages answer as JSON) and
 * /model/{modelId}/invoke-with-response-stream (`application/vnd.amazon.eventstream`:
 * one `chunk` frame per Anthropic stream event, its payload `{"bytes": base64 of the
 * event JSON}`, frames split across writes). Every request must be SigV4-signed for
 * service `bedrock` in the mock's region with the mock's access key; the mock
 * recomputes the signature with the configured secret (403 otherwise). Like the
 * service, the body must carry `anthropic_version: "bedrock-2023-05-31"` and must not
 * carry `model` or `stream` (400 ValidationException).
 *
 * The Messages semantics (validation, default answers, tools, thinking, usage with
 * cache reads, queued scenarios) are the strict Anthropic mock's: the body is handed
 * to it with the model from the path, and its answer wrapped the Bedrock way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { BEDROCK_CREDENTIALS, eventFrame, exceptionFrame } from '../support/mock-upstreams/bedrock.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { DEFAULT_API_KEY, type MockScenario, type MockUpstream, type RecordedRequest } from '../support/mock-upstreams/types.js';
import { listenLocal, recordingServer } from '../support/mock-upstreams/serve.js';
import { parseSse } from '../support/proxy-fixture.js';

type Json = Record<string, any>;

export interface BedrockAnthropicMock extends MockUpstream {
  /** The next stream sends its first two chunks, then this exception frame. */
  failStreamWith(exceptionType: string, message: string): void;
  /** The next stream ends cleanly (no broken frame) before its message_delta and message_stop chunks. */
  cutNextStream(): void;
}

class BedrockError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

const ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

const amzDate = (t: string): Date => new Date(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}Z`);

/** Recomputes the SigV4 signature over what arrived (its signed headers) and compares. */
async function checkSignature(req: IncomingMessage, raw: string): Promise<void> {
  const { accessKeyId, secretAccessKey, region } = BEDROCK_CREDENTIALS;
  const header = String(req.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/bedrock\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=[0-9a-f]{64}$/.exec(header);
  if (!m)
    throw new BedrockError(403, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.", 'IncompleteSignatureException');
  if (m[1] !== accessKeyId) throw new BedrockError(403, 'The security token included in the request is invalid.', 'UnrecognizedClientException');
  if (m[3] !== region) throw new BedrockError(403, `Credential should be scoped to a valid region in '${region}'.`, 'InvalidSignatureException');
  const signed = m[4].split(';');
  const date = String(req.headers['x-amz-date'] ?? '');
  if (!signed.includes('host') || !signed.includes('x-amz-date') || !/^\d{8}T\d{6}Z$/.test(date))
    throw new BedrockError(403, 'The request must sign host and x-amz-date.', 'InvalidSignatureException');
  const headers: Record<string, string> = {};
  for (const name of signed) headers[name] = String(req.headers[name] ?? '');
  const url = new URL(req.url ?? '', `http://${req.headers.host}`);
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region, service: 'bedrock', sha256: Sha256 });
  const expected = await signer.sign(
    { method: req.method ?? 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers, body: raw },
    { signingDate: amzDate(date) },
  );
  if (expected.headers.authorization !== header)
    throw new BedrockError(403, 'The request signature we calculated does not match the signature you provided.', 'InvalidSignatureException');
}

function send(res: ServerResponse, status: number, body: Json, type?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(type ? { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` } : {}),
  });
  res.end(JSON.stringify(body));
}

export async function startBedrockAnthropicMock(): Promise<BedrockAnthropicMock> {
  const messages = await startAnthropicMock();
  const requests: RecordedRequest[] = [];
  let failure: { type: string; message: string } | undefined;
  let cut = false;

  async function handle(req: IncomingMessage, res: ServerResponse, body: any): Promise<void> {
    const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    if (Buffer.byteLength(raw) !== Number(req.headers['content-length'] ?? 0))
      throw new BedrockError(400, 'The body is not the JSON that was signed', 'ValidationException');
    await checkSignature(req, raw);
    const match = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/.exec(new URL(req.url ?? '', 'http://x').pathname);
    if (req.method !== 'POST' || !match) throw new BedrockError(404, `Unknown operation: ${req.method} ${req.url}`, 'UnknownOperationException');
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BedrockError(400, 'Malformed input request', 'ValidationException');
    for (const key of ['model', 'stream'])
      if (key in body) throw new BedrockError(400, `Malformed input request: extraneous key [${key}] is not permitted`, 'ValidationException');
    const { anthropic_version: version, ...rest } = body as Json;
    if (version !== 'bedrock-2023-05-31')
      throw new BedrockError(400, 'Malformed input request: anthropic_version: bedrock-2023-05-31 is required', 'ValidationException');
    const stream = match[2] === 'invoke-with-response-stream';
    const answer = await fetch(`${messages.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': DEFAULT_API_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ ...rest, model: decodeURIComponent(match[1]), stream }),
    });
    const text = await answer.text();
    if (answer.status !== 200) {
      const error = (JSON.parse(text) as Json).error ?? {};
      return send(
        res,
        answer.status,
        { message: String(error.message ?? `Mock error ${answer.status}`) },
        ERROR_TYPES[answer.status] ?? 'InternalServerException',
      );
    }
    if (!stream) return send(res, 200, JSON.parse(text) as Json);
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    const fail = failure;
    failure = undefined;
    let frames = parseSse(text).map((e) => eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(e.data)).toString('base64') }));
    if (fail) frames = [...frames.slice(0, 2), exceptionFrame(fail.type, fail.message)];
    if (cut) frames = frames.slice(0, -2);
    cut = false;
    for (const frame of frames) {
      // Frames split across writes, so the reader must join partial ones.
      const cut = Math.floor(frame.length / 2);
      res.write(frame.subarray(0, cut));
      res.write(frame.subarray(cut));
    }
    res.end();
  }

  const server = recordingServer(requests, (req, res, body) => {
    handle(req, res, body).catch((error: unknown) => {
      const e = error instanceof BedrockError ? error : new BedrockError(500, String(error), 'InternalServerException');
      send(res, e.status, { message: e.message }, e.type);
    });
  });
  const local = await listenLocal(server);
  return {
    url: local.url,
    requests,
    get aborted() {
      return messages.aborted;
    },
    enqueue: (...scenarios: MockScenario[]) => messages.enqueue(...scenarios),
    setUsage: (usage) => messages.setUsage(usage),
    failStreamWith(type, message) {
      failure = { type, message };
    },
    cutNextStream() {
      cut = true;
    },
    close: async () => {
      await local.close();
      await messages.close();
    },
  };
}
