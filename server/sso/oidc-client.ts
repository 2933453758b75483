import type * as oidc from 'openid-client';
import { once } from '../core/once.js';
import type { StoredSsoSettings } from '../settings/sso-settings.js';

/** openid-client, imported on the first sign-in: a gateway without SSO never loads it. */
export const loadOidc = once(() => import('openid-client'));

/** The provider's discovered configuration, kept per issuer + client so each sign-in does not fetch it again. */
export class OidcClients {
  private cached: { key: string; config: Promise<oidc.Configuration> } | null = null;

  constructor(private readonly open: (sealed: string) => string) {}

  get(settings: StoredSsoSettings): Promise<oidc.Configuration> {
    const key = JSON.stringify([settings.issuerUrl, settings.clientId, settings.clientSecretSealed]);
    if (this.cached?.key !== key) {
      const config = discover(settings, settings.clientSecretSealed ? this.open(settings.clientSecretSealed) : undefined);
      // A failed discovery is retried on the next sign-in, not cached.
      config.catch(() => {
        if (this.cached?.config === config) this.cached = null;
      });
      this.cached = { key, config };
    }
    return this.cached.config;
  }
}

async function discover(settings: StoredSsoSettings, secret: string | undefined): Promise<oidc.Configuration> {
  const client = await loadOidc();
  // Plain http is allowed for a provider on loopback or inside a private network the operator chose.
  const insecure = settings.issuerUrl.startsWith('http://');
  return client.discovery(new URL(settings.issuerUrl), settings.clientId, secret, secret ? undefined : client.None(), {
    execute: insecure ? [client.allowInsecureRequests] : [],
    timeout: 10,
  });
}
