/**
 * Mock Microsoft Entra ID token endpoint and an Azure OpenAI resource that accepts
 * only its tokens, on 127.0.0.1 (random port); `url` has no path and serves both.
 *
 * - `POST /{tenant}/oauth2/v2.0/token` (form-encoded client credentials grant): the
 *   tenant, client_id, client_secret and scope (`https://cognitiveservices.azure.com/.default`)
 *   must be the configured ones, else 400/401 with Entra's `error` / `error_description`
 *   (AADSTS codes). Answers `{token_type: 'Bearer', expires_in, access_token}`.
 * - `POST /openai/deployments/{deployment}/chat/completions?api-version=…`: the bearer must
 *   be a live token this mock issued (401 otherwise, as Azure answers); an `api-key`
 *   header is refused, so a request cannot pass with the client secret itself. Behind
 *   the check the Azure OpenAI mock of this folder answers (greeting
 *   `Hello from azure-openai: …`); queue scenarios on `azure`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { startAzureMock } from './openai-chat.js';
import { mockState, serveMock } from './serve.js';
import type { MockUpstream, RecordedRequest } from './types.js';
import { forward } from './vertex.js';

export interface EntraMockOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued tokens in seconds (default 3599, as Entra issues them). */
  tokenLifetimeSeconds?: number;
}

export interface EntraMock {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Token requests answered with a token. */
  readonly tokensIssued: number;
  /** Token requests received (granted or not). */
  readonly tokenRequests: number;
  readonly azure: MockUpstream;
  close(): Promise<void>;
}

export const ENTRA = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '0b5c3a4e-1111-2222-3333-444455556666',
  clientSecret: 'mock~EntraClientSecret.0123456789abcdef',
};
const INNER_KEY = 'entra-inner-azure-key';
const SCOPE = 'https://cognitiveservices.azure.com/.default';

class MockError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startEntraMock(options: EntraMockOptions = {}): Promise<EntraMock> {
  const tenantId = options.tenantId ?? ENTRA.tenantId;
  const clientId = options.clientId ?? ENTRA.clientId;
  const clientSecret = options.clientSecret ?? ENTRA.clientSecret;
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const azure = await startAzureMock({ apiKey: INNER_KEY });
  const tokens = new Map<string, number>();
  const state = mockState();
  const resourceRequests: RecordedRequest[] = [];
  let issued = 0;
  let asked = 0;

  function token(tenant: string, body: unknown, res: ServerResponse): void {
    asked++;
    const form = new URLSearchParams(typeof body === 'string' ? body : '');
    if (tenant !== tenantId) throw new MockError(400, 'invalid_tenant', `AADSTS90002: Tenant '${tenant}' not found.`);
    if (form.get('grant_type') !== 'client_credentials')
      throw new MockError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    if (form.get('client_id') !== clientId)
      throw new MockError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`);
    if (form.get('client_secret') !== clientSecret)
      throw new MockError(
        401,
        'invalid_client',
        'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
    if (form.get('scope') !== SCOPE) throw new MockError(400, 'invalid_scope', `AADSTS70011: The provided value for the input parameter 'scope' is not valid.`);
    const value = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}`;
    tokens.set(value, Date.now() + lifetime * 1000);
    issued++;
    send(res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: value });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: any): Promise<void> {
    const url = new URL(req.url ?? '', 'http://x');
    const tokenRoute = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (req.method === 'POST' && tokenRoute) return token(decodeURIComponent(tokenRoute[1]), body, res);
    resourceRequests.push(state.requests.at(-1)!);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expires = bearer ? tokens.get(bearer) : undefined;
    if (req.headers['api-key'] !== undefined || expires === undefined || expires < Date.now()) {
      return send(res, 401, { error: { code: 'PermissionDenied', message: 'Principal does not have access to API/Operation.' } });
    }
    return forward(res, `${azure.url}${url.pathname}${url.search}`, {
      headers: { 'content-type': 'application/json', 'api-key': INNER_KEY },
      body: JSON.stringify(body),
    });
  }

  const outer = await serveMock({}, state, handle, (res, err) => {
    if (err instanceof MockError)
      return send(res, err.status, { error: err.code, error_description: err.message, error_codes: [Number(/AADSTS(\d+)/.exec(err.message)?.[1] ?? 0)] });
    send(res, 500, { error: 'server_error', error_description: String(err) });
  });
  return {
    url: outer.url,
    requests: resourceRequests,
    get tokensIssued() {
      return issued;
    },
    get tokenRequests() {
      return asked;
    },
    azure,
    close: async () => {
      await Promise.all([outer.close(), azure.close()]);
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
