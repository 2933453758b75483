import type { McpAuth, McpServerEntry } from './types.js';

type Fetch = typeof fetch;

/**
 * The fetch the MCP client uses for one server: only the registered URL's
 * origin is reached (the SSE transport posts to an endpoint the server names,
 * which must stay on that origin), redirects are refused, and the server's
 * credentials are added here so they never sit in a URL or a log line.
 */
export function upstreamFetch(server: Pick<McpServerEntry, 'url' | 'auth' | 'timeoutMs'>, tokens: OAuthTokens = new OAuthTokens()): Fetch {
  const origin = new URL(server.url).origin;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== origin) throw new Error(`the MCP server may only be reached at its registered address (${origin})`);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    for (const [name, value] of Object.entries(await authHeaders(server.auth, tokens, server.timeoutMs))) headers.set(name, value);
    return fetch(input instanceof Request ? input.url : url, { ...init, headers, redirect: 'error' });
  };
}

async function authHeaders(auth: McpAuth, tokens: OAuthTokens, timeoutMs: number): Promise<Record<string, string>> {
  switch (auth.type) {
    case 'none':
      return {};
    case 'header':
      return { [auth.headerName]: auth.secret };
    case 'bearer':
      return { authorization: `Bearer ${auth.secret}` };
    case 'oauth-client-credentials':
      return { authorization: `Bearer ${await tokens.get(auth, timeoutMs)}` };
    default: {
      const unknown: never = auth;
      return unknown;
    }
  }
}

/** OAuth 2.0 client-credentials tokens of one server, kept until shortly before they expire. */
export class OAuthTokens {
  private token?: { value: string; expiresAt: number };

  async get(auth: Extract<McpAuth, { type: 'oauth-client-credentials' }>, timeoutMs: number): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) form.set('scope', auth.scope);
    const response = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.secret)}`).toString('base64')}`,
      },
      body: form,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`the OAuth token endpoint answered ${response.status}`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || !body.access_token) throw new Error('the OAuth token endpoint sent no access_token');
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    // Renewed a little early, so a call never starts with a token about to lapse.
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(lifetimeS - 30, 1) * 1000 };
    return this.token.value;
  }
}
