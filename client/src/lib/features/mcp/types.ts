import { tr } from '$lib/i18n';

export const TRANSPORTS = ['streamable-http', 'sse'] as const;
export const AUTH_TYPES = ['none', 'header', 'bearer', 'oauth-client-credentials'] as const;

export function transportLabel(transport: string): string {
  return transport === 'sse' ? tr('mcpPage.transportSse') : tr('mcpPage.transportStreamable');
}

export function authLabel(auth: string): string {
  switch (auth) {
    case 'header':
      return tr('mcpPage.authHeader');
    case 'bearer':
      return tr('mcpPage.authBearer');
    case 'oauth-client-credentials':
      return tr('mcpPage.authOauth');
    default:
      return tr('mcpPage.authNone');
  }
}
