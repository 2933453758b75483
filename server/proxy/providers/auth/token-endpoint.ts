import { GatewayError } from '../../../core/error.js';
import { isRecord } from '../../../core/guards.js';
import { scrubText } from '../../../secrets/redactor.js';
import { sendUpstream } from '../../upstream/http-client.js';
import type { MintedToken } from './token-cache.js';

const TOKEN_TIMEOUTS = { connectMs: 10_000, firstByteMs: 30_000, idleMs: 30_000 };
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** The provider's credential could not be turned into a token: the gateway's configuration, not the caller, is at fault. */
export function credentialError(providerName: string, detail: string, secrets: ReadonlyArray<string | undefined> = []): GatewayError {
  return new GatewayError({
    status: 502,
    kind: 'upstream_auth',
    code: 'upstream_credentials',
    message: scrubText(`The provider "${providerName}" could not get an access token: ${detail}`, secrets),
  });
}

/**
 * POSTs an OAuth 2.0 token request (form-encoded) and reads `access_token` and
 * `expires_in` from the answer; an OAuth error answer (`error`,
 * `error_description`) becomes a credential error naming it.
 */
export async function requestToken(
  providerName: string,
  url: string,
  form: Record<string, string>,
  secrets: ReadonlyArray<string | undefined>,
): Promise<MintedToken> {
  let status: number;
  let text = '';
  try {
    const response = await sendUpstream({
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      timeouts: TOKEN_TIMEOUTS,
    });
    status = response.statusCode;
    for await (const chunk of response.body) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > MAX_TOKEN_RESPONSE_BYTES) {
        response.body.destroy();
        throw new Error('token endpoint answer too large');
      }
    }
  } catch (error) {
    throw credentialError(providerName, `token endpoint unreachable (${(error as { code?: string }).code ?? (error as Error).message})`, secrets);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw credentialError(providerName, `token endpoint answered HTTP ${status} without JSON`, secrets);
  }
  if (status >= 400 || !isRecord(body) || typeof body.access_token !== 'string') {
    const error = isRecord(body) ? [body.error, body.error_description].filter((v) => typeof v === 'string').join(': ') : '';
    throw credentialError(providerName, `token endpoint answered HTTP ${status}${error ? ` (${error})` : ''}`, secrets);
  }
  const expiresIn = Number(body.expires_in);
  return { token: body.access_token, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600 };
}
