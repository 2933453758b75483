import * as oidc from 'openid-client';
import type { StoredSsoSettings } from '../settings/sso-settings.js';

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

function discover(settings: StoredSsoSettings, secret: string | undefined): Promise<oidc.Configuration> {
  // Plain http is allowed for a provider on loopback or inside a private network the operator chose.
  const insecure = settings.issuerUrl.startsWith('http://');
  return oidc.discovery(new URL(settings.issuerUrl), settings.clientId, secret, secret ? undefined : oidc.None(), {
    execute: insecure ? [oidc.allowInsecureRequests] : [],
    timeout: 10,
  });
}
