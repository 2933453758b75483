import { createHash } from 'node:crypto';
import type { ProviderEntry } from '../../../snapshot/types.js';
import type { PrepareRequest } from '../../upstream/http-client.js';
import { providerTokens } from './token-cache.js';
import { credentialError, requestToken } from './token-endpoint.js';

/** `options.entra` of an Azure OpenAI provider: the app registration whose client secret is the API key. */
export interface EntraOptions {
  tenantId: string;
  clientId: string;
  /** Default https://login.microsoftonline.com (sovereign clouds have their own). */
  authorityHost?: string;
  /** Default https://cognitiveservices.azure.com/.default (Azure OpenAI). */
  scope?: string;
}

const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';
const DEFAULT_SCOPE = 'https://cognitiveservices.azure.com/.default';

export function entraOptionsOf(provider: ProviderEntry): EntraOptions | undefined {
  const entra = provider.options.entra as Partial<EntraOptions> | undefined;
  return entra && typeof entra.tenantId === 'string' && typeof entra.clientId === 'string' ? (entra as EntraOptions) : undefined;
}

/** Azure OpenAI with Entra ID: a client-credentials token instead of the `api-key` header, refreshed before expiry. */
export function entraIdStep(provider: ProviderEntry, entra: EntraOptions): PrepareRequest {
  return async (request) => {
    const secret = provider.apiKey;
    if (!secret) throw credentialError(provider.name, 'the API key field must hold the Entra ID client secret');
    const authority = (entra.authorityHost ?? DEFAULT_AUTHORITY).replace(/\/+$/, '');
    const url = `${authority}/${encodeURIComponent(entra.tenantId)}/oauth2/v2.0/token`;
    const scope = entra.scope ?? DEFAULT_SCOPE;
    const cacheKey = `entra:${provider.id}:${createHash('sha256').update(`${url}\n${entra.clientId}\n${scope}\n${secret}`).digest('base64url')}`;
    const token = await providerTokens.get(cacheKey, () =>
      requestToken(provider.name, url, { grant_type: 'client_credentials', client_id: entra.clientId, client_secret: secret, scope }, [secret]),
    );
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
  };
}
