import { createHash } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { isRecord } from '../../../core/guards.js';
import type { ProviderEntry } from '../../../snapshot/types.js';
import type { OutgoingRequest, PrepareRequest } from '../../upstream/http-client.js';
import { providerTokens } from './token-cache.js';
import { credentialError, requestToken } from './token-endpoint.js';

/** The fields of a Google service-account key file the gateway uses. */
export interface ServiceAccount {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  projectId?: string;
  tokenUri: string;
}

const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Parsed key files by their text: a few providers at most, so a small bound suffices. */
const parsed = new Map<string, ServiceAccount | undefined>();
const MAX_PARSED = 32;

/** The provider's API key read as a service-account JSON key file (memoized: the same text parses once). */
export function serviceAccountOf(apiKey: string | undefined): ServiceAccount | undefined {
  if (!apiKey) return undefined;
  if (parsed.has(apiKey)) return parsed.get(apiKey);
  let account: ServiceAccount | undefined;
  try {
    const json = JSON.parse(apiKey) as unknown;
    if (isRecord(json) && typeof json.client_email === 'string' && typeof json.private_key === 'string') {
      account = {
        clientEmail: json.client_email,
        privateKey: json.private_key,
        ...(typeof json.private_key_id === 'string' ? { privateKeyId: json.private_key_id } : {}),
        ...(typeof json.project_id === 'string' ? { projectId: json.project_id } : {}),
        tokenUri: typeof json.token_uri === 'string' ? json.token_uri : GOOGLE_TOKEN_URI,
      };
    }
  } catch {
    account = undefined;
  }
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(apiKey, account);
  return account;
}

/**
 * Mints an OAuth access token for a service account: a JWT assertion signed
 * (RS256) with its private key, exchanged at its token URI (RFC 7523 bearer grant).
 */
async function mint(provider: ProviderEntry, account: ServiceAccount) {
  let key: CryptoKey;
  try {
    key = await importPKCS8(account.privateKey, 'RS256');
  } catch {
    throw credentialError(provider.name, 'the service account private_key is not a PKCS#8 PEM key', [account.privateKey]);
  }
  const assertion = await new SignJWT({ scope: CLOUD_PLATFORM_SCOPE })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.privateKeyId ? { kid: account.privateKeyId } : {}) })
    .setIssuer(account.clientEmail)
    .setSubject(account.clientEmail)
    .setAudience(account.tokenUri)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
  return requestToken(provider.name, account.tokenUri, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, [
    provider.apiKey,
    account.privateKey,
  ]);
}

/** Vertex AI: `Authorization: Bearer <token>` from the service account, cached until shortly before it expires. */
export function googleServiceAccountStep(provider: ProviderEntry, reshape: (request: OutgoingRequest) => OutgoingRequest = (r) => r): PrepareRequest {
  return async (request) => {
    const account = serviceAccountOf(provider.apiKey);
    if (!account) throw credentialError(provider.name, 'the API key field must hold a service-account JSON key file (client_email, private_key)');
    const cacheKey = `google:${provider.id}:${createHash('sha256').update(provider.apiKey!).digest('base64url')}`;
    const token = await providerTokens.get(cacheKey, () => mint(provider, account));
    const out = reshape(request);
    return { ...out, headers: { ...out.headers, authorization: `Bearer ${token}` } };
  };
}
