/**
 * Mock Google Vertex AI on 127.0.0.1 (random port); `url` has no path. It has its own
 * OAuth token endpoint and a service account made for it:
 *
 * - `POST /token`: the RFC 7523 bearer grant. The assertion must be an RS256 JWT signed
 *   with the service account's private key (checked with its public key), issued by
 *   and for its client_email, for this token URI, with the cloud-platform scope, not
 *   expired. Answers `{access_token, expires_in, token_type}`; anything else is 400
 *   `invalid_grant`, as Google answers.
 * - `POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent`
 *   (`:streamGenerateContent?alt=sse`, `:countTokens`) and
 *   `…/publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict`): the bearer
 *   must be a token this mock issued and has not expired (401 UNAUTHENTICATED), project
 *   and location the configured ones (403 / 404). Anthropic bodies must not name the
 *   model and must carry `anthropic_version: vertex-2023-10-16` (400), as on Vertex.
 *
 * Behind the checks, the requests are answered by the strict Gemini and Anthropic mocks
 * of this folder (the same validation and default answers, greetings
 * `Hello from gemini: …` / `Hello from anthropic: …`); queue scenarios on `gemini` and
 * `anthropic`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { startAnthropicMock } from './anthropic.js';
import { googleErrorBody, startGeminiMock } from './gemini.js';
import { mockState, serveMock } from './serve.js';
import type { MockUpstream, RecordedRequest } from './types.js';

export interface VertexMockOptions {
  project?: string;
  location?: string;
  /** Lifetime of issued tokens in seconds (default 3600). */
  tokenLifetimeSeconds?: number;
}

export interface VertexMock {
  readonly url: string;
  /** Requests to the model routes (what the gateway sent, before forwarding). */
  readonly requests: RecordedRequest[];
  /** Token requests answered with a token. */
  readonly tokensIssued: number;
  /** The service-account key file to configure as the provider's API key. */
  readonly serviceAccount: string;
  readonly privateKey: string;
  readonly gemini: MockUpstream;
  readonly anthropic: MockUpstream;
  close(): Promise<void>;
}

const INNER_KEY = 'vertex-inner-key';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

class MockError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly oauth?: string,
  ) {
    super(message);
  }
}

/** Forwards one request to another local server and streams its answer back as it comes. */
export async function forward(res: ServerResponse, url: string, init: { headers: Record<string, string>; body: string }): Promise<void> {
  const answer = await fetch(url, { method: 'POST', headers: init.headers, body: init.body });
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
  if (!answer.body) return void res.end();
  Readable.fromWeb(answer.body as WebReadableStream).pipe(res);
}

export async function startVertexMock(options: VertexMockOptions = {}): Promise<VertexMock> {
  const project = options.project ?? 'mock-project-123';
  const location = options.location ?? 'us-east5';
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const privatePem = await exportPKCS8(privateKey);
  const clientEmail = `gateway@${project}.iam.gserviceaccount.com`;
  const tokens = new Map<string, number>();
  let issued = 0;
  const gemini = await startGeminiMock({ apiKey: INNER_KEY });
  const anthropic = await startAnthropicMock({ apiKey: INNER_KEY });
  const state = mockState();
  const modelRequests: RecordedRequest[] = [];
  let tokenUri = '';

  async function issueToken(body: unknown, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(typeof body === 'string' ? body : '');
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') throw new MockError(400, 'Invalid grant_type', 'unsupported_grant_type');
    try {
      const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
        issuer: clientEmail,
        audience: tokenUri,
        algorithms: ['RS256'],
      });
      if (payload.scope !== SCOPE || protectedHeader.kid !== 'mock-key-id' || typeof payload.exp !== 'number') throw new Error('scope');
    } catch {
      throw new MockError(400, 'Invalid JWT Signature.', 'invalid_grant');
    }
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    tokens.set(token, Date.now() + lifetime * 1000);
    issued++;
    send(res, 200, { access_token: token, expires_in: lifetime, token_type: 'Bearer' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: any): Promise<void> {
    const url = new URL(req.url ?? '', 'http://x');
    if (req.method === 'POST' && url.pathname === '/token') return issueToken(body, res);
    modelRequests.push(state.requests.at(-1)!);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expires = bearer ? tokens.get(bearer) : undefined;
    if (expires === undefined || expires < Date.now()) {
      throw new MockError(
        401,
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):(\w+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) throw new MockError(404, `Not found: ${req.method} ${url.pathname}`);
    const [, p, l, publisher, model, method] = m as unknown as [string, string, string, string, string, string];
    if (p !== project) throw new MockError(403, `Permission denied on resource project ${p}.`);
    if (l !== location) throw new MockError(404, `Publisher model projects/${p}/locations/${l}/publishers/${publisher}/models/${model} not found.`);
    if (publisher === 'google' && method === 'predict') return send(res, 200, predictEmbeddings(body));
    if (publisher === 'google') {
      const query = url.search;
      return forward(res, `${gemini.url}/v1beta/models/${model}:${method}${query}`, {
        headers: { 'content-type': 'application/json', 'x-goog-api-key': INNER_KEY },
        body: JSON.stringify(body),
      });
    }
    if (method !== 'rawPredict' && method !== 'streamRawPredict') throw new MockError(404, `Method ${method} not found`);
    if (body === null || typeof body !== 'object') throw new MockError(400, 'Invalid JSON payload received.');
    const fail = (message: string) => void sendAnthropic(res, 400, message);
    if ('model' in body) return fail('model: Extra inputs are not permitted');
    if (body.anthropic_version !== 'vertex-2023-10-16') return fail("anthropic_version: Input should be 'vertex-2023-10-16'");
    const { anthropic_version: _v, ...rest } = body;
    return forward(res, `${anthropic.url}/v1/messages`, {
      headers: { 'content-type': 'application/json', 'x-api-key': INNER_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ ...rest, model }),
    });
  }

  const outer = await serveMock({}, state, handle, (res, err) => {
    if (err instanceof MockError && err.oauth) return send(res, err.status, { error: err.oauth, error_description: err.message });
    const status = err instanceof MockError ? err.status : 500;
    send(res, status, googleErrorBody(status, err instanceof Error ? err.message : String(err)));
  });
  tokenUri = `${outer.url}/token`;
  const serviceAccount = JSON.stringify({
    type: 'service_account',
    project_id: project,
    private_key_id: 'mock-key-id',
    private_key: privatePem,
    client_email: clientEmail,
    client_id: '100000000000000000001',
    token_uri: tokenUri,
  });
  return {
    url: outer.url,
    requests: modelRequests,
    get tokensIssued() {
      return issued;
    },
    serviceAccount,
    privateKey: privatePem,
    gemini,
    anthropic,
    close: async () => {
      await Promise.all([outer.close(), gemini.close(), anthropic.close()]);
    },
  };
}

/** Vertex text embeddings (`:predict`): one instance `{ content }` each, optional `parameters.outputDimensionality`; nothing else. */
function predictEmbeddings(body: any): unknown {
  if (body === null || typeof body !== 'object') throw new MockError(400, 'Invalid JSON payload received.');
  const extra = Object.keys(body).find((k) => k !== 'instances' && k !== 'parameters');
  if (extra) throw new MockError(400, `Invalid JSON payload received. Unknown name "${extra}": Cannot find field.`);
  if (!Array.isArray(body.instances) || body.instances.length === 0) throw new MockError(400, 'instances: required');
  const dimension = body.parameters?.outputDimensionality ?? 8;
  return {
    predictions: body.instances.map((instance: any, i: number) => {
      if (typeof instance?.content !== 'string') throw new MockError(400, `instances[${i}].content: required string`);
      const words = instance.content.split(/\s+/).filter(Boolean).length;
      return {
        embeddings: {
          values: Array.from({ length: dimension }, (_, d) => (instance.content.length + d) / 100),
          statistics: { token_count: words + 1, truncated: false },
        },
      };
    }),
    metadata: { billableCharacterCount: body.instances.reduce((n: number, x: any) => n + String(x.content).length, 0) },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function sendAnthropic(res: ServerResponse, status: number, message: string): void {
  send(res, status, { type: 'error', error: { type: 'invalid_request_error', message } });
}
