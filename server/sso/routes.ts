import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import type { Role, TokenIssuer } from '../auth/jwt.js';
import { recordFailedSignIn } from '../auth/sign-in-audit.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { clientIp } from '../http/client-ip.js';
import type { Router } from '../http/router.js';
import type { StoredSsoSettings } from '../settings/sso-settings.js';
import { loadOidc, OidcClients } from './oidc-client.js';
import { groupsOf, provisionUser, SsoRefusal } from './provision.js';

export const SSO_START_PATH = '/auth/sso/start';
export const SSO_CALLBACK_PATH = '/auth/sso/callback';
const COOKIE = 'gateway_sso';
/** How long a sign-in may take at the provider. */
const FLIGHT_SECONDS = 600;

export interface SsoRouteDeps {
  db: Db;
  secretBox: SecretBox;
  tokens: TokenIssuer;
  audit: Pick<AuditLog, 'record'>;
  logger: Pick<Logger, 'warn'>;
  settings: { read(): { sso: StoredSsoSettings | null } };
  trustProxy: boolean;
}

/** What the browser carries between start and callback: sealed, so it cannot be read or forged. */
interface Flight {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
  exp: number;
}

/**
 * OpenID Connect sign-in (authorization code + PKCE, with openid-client): `start`
 * sends the browser to the provider; `callback` exchanges the code, finds or creates
 * the user and hands the admin UI the gateway's own session token (in the URL
 * fragment of /login, which never reaches a server).
 */
export function registerSsoRoutes(router: Router, deps: SsoRouteDeps): void {
  const clients = new OidcClients((sealed) => deps.secretBox.open(sealed));
  const active = () => {
    const sso = deps.settings.read().sso;
    return sso?.enabled ? sso : null;
  };

  router.add('GET', SSO_START_PATH, async (req, res) => {
    const sso = active();
    if (!sso) return backToLogin(res, 'Single sign-on is not configured.');
    try {
      const config = await clients.get(sso);
      const oidc = await loadOidc();
      const flight: Flight = {
        verifier: oidc.randomPKCECodeVerifier(),
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        next: safeNext(new URL(req.url ?? '/', 'http://x').searchParams.get('next')),
        exp: Date.now() + FLIGHT_SECONDS * 1000,
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: sso.redirectUrl,
        scope: sso.scopes.join(' '),
        code_challenge: await oidc.calculatePKCECodeChallenge(flight.verifier),
        code_challenge_method: 'S256',
        state: flight.state,
        nonce: flight.nonce,
      });
      res.writeHead(302, {
        location: url.href,
        'set-cookie': cookie(deps.secretBox.seal(JSON.stringify(flight)), sso, FLIGHT_SECONDS),
        'cache-control': 'no-store',
      });
      res.end();
    } catch (error) {
      deps.logger.warn({ err: error }, 'SSO: the identity provider could not be reached');
      backToLogin(res, 'The identity provider could not be reached.');
    }
  });

  router.add('GET', SSO_CALLBACK_PATH, async (req, res) => {
    const sso = active();
    if (!sso) return backToLogin(res, 'Single sign-on is not configured.');
    const flight = readFlight(req, deps.secretBox);
    // Without a flight nothing was attempted here (a stale tab, a crafted link): not worth an audit row.
    if (!flight) return backToLogin(res, 'The sign-in expired or was started elsewhere; try again.', sso);
    const from = { ip: clientIp(req, deps.trustProxy) || undefined, userAgent: req.headers['user-agent'] };
    let tried: string | undefined;
    try {
      const config = await clients.get(sso);
      const oidc = await loadOidc();
      // The provider redirected to the configured URL; its query is this request's (the gateway may sit behind a proxy).
      const current = new URL(sso.redirectUrl);
      current.search = new URL(req.url ?? '/', 'http://x').search;
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flight.verifier,
        expectedState: flight.state,
        expectedNonce: flight.nonce,
        idTokenExpected: true,
      });
      let claims: Record<string, unknown> = { ...tokens.claims() };
      // Some providers keep groups (or the email) out of the ID token: ask userinfo then.
      if (!(sso.groupClaim in claims) || !claims.email) {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub)).catch(() => ({}));
        claims = { ...info, ...claims };
      }
      tried = typeof claims.email === 'string' ? claims.email : undefined;
      const groups = groupsOf(claims, sso.groupClaim);
      const { user, created, before } = await provisionUser(
        deps.db,
        {
          issuer: String(claims.iss),
          subject: String(claims.sub),
          email: typeof claims.email === 'string' ? claims.email : undefined,
          emailVerified: claims.email_verified === true,
          groups,
        },
        sso,
      );
      const actor = { type: 'user' as const, userId: user.id, email: user.email, ...from };
      if (created)
        await deps.audit.record({ actor, operation: 'ssoLogin', entity: 'user', entityId: user.id, entityName: user.email, action: 'create', after: user });
      else if (before && (before.role !== user.role || before.teamId !== user.teamId)) {
        await deps.audit.record({
          actor,
          operation: 'ssoLogin',
          entity: 'user',
          entityId: user.id,
          entityName: user.email,
          action: 'update',
          before,
          after: user,
        });
      }
      await deps.audit.record({
        actor,
        operation: 'ssoLogin',
        entity: 'session',
        entityId: user.id,
        entityName: user.email,
        action: 'login',
        after: { method: 'oidc', groups, role: user.role, teamId: user.teamId },
      });
      const token = await deps.tokens.sign({ userId: user.id, email: user.email, role: user.role as Role, tokenVersion: user.tokenVersion });
      res.writeHead(302, {
        location: `/login#${new URLSearchParams({ sso_token: token, next: flight.next })}`,
        'set-cookie': cookie('', sso, 0),
        'cache-control': 'no-store',
      });
      res.end();
    } catch (error) {
      if (error instanceof SsoRefusal) {
        await recordFailedSignIn(deps.audit, { method: 'oidc', reason: 'sso_refused', email: tried, detail: error.message, ...from });
        return backToLogin(res, error.message, sso);
      }
      deps.logger.warn({ err: error }, 'SSO: the sign-in was refused');
      await recordFailedSignIn(deps.audit, { method: 'oidc', reason: 'sso_exchange_failed', email: tried, ...from });
      backToLogin(res, 'The identity provider refused the sign-in.', sso);
    }
  });
}

function backToLogin(res: ServerResponse, message: string, sso?: StoredSsoSettings): void {
  res.writeHead(302, {
    location: `/login#${new URLSearchParams({ sso_error: message })}`,
    'cache-control': 'no-store',
    ...(sso ? { 'set-cookie': cookie('', sso, 0) } : {}),
  });
  res.end();
}

function cookie(value: string, sso: StoredSsoSettings, maxAge: number): string {
  const secure = sso.redirectUrl.startsWith('https://') ? '; Secure' : '';
  // Lax: the provider's redirect back is a top-level GET, which carries it.
  return `${COOKIE}=${value}; Path=/auth/sso; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

function readFlight(req: IncomingMessage, box: SecretBox): Flight | null {
  const raw = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  if (!raw) return null;
  try {
    const flight = JSON.parse(box.open(raw)) as Flight;
    return flight.exp > Date.now() ? flight : null;
  } catch {
    return null;
  }
}

/** Only same-site paths: a crafted ?next= must not send the user elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
