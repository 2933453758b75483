import { ssoSettingsSchema } from '../../config-service/sso.js';
import type { StoredSsoSettings } from '../../settings/sso-settings.js';
import { SSO_CALLBACK_PATH, SSO_START_PATH } from '../../sso/index.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { validate, withoutUndefined } from '../validate.js';

const GroupRoleType = builder.simpleObject('SsoGroupRole', { fields: (t) => ({ group: t.string(), role: t.string() }) });
const GroupTeamType = builder.simpleObject('SsoGroupTeam', { fields: (t) => ({ group: t.string(), teamId: t.id() }) });

const SsoSettingsType = builder.objectRef<StoredSsoSettings>('SsoSettings');
SsoSettingsType.implement({
  description: 'Single sign-on through OpenID Connect (authorization code + PKCE). The client secret is never returned, only whether one is set.',
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled'),
    issuerUrl: t.exposeString('issuerUrl'),
    clientId: t.exposeString('clientId'),
    clientSecretSet: t.boolean({ resolve: (s) => s.clientSecretSealed !== null }),
    clientSecretHint: t.exposeString('clientSecretHint', { nullable: true }),
    redirectUrl: t.exposeString('redirectUrl', { description: `The gateway's public URL + ${SSO_CALLBACK_PATH}, registered at the provider.` }),
    scopes: t.exposeStringList('scopes'),
    groupClaim: t.exposeString('groupClaim'),
    groupRoles: t.field({ type: [GroupRoleType], resolve: (s) => s.groupRoles }),
    groupTeams: t.field({ type: [GroupTeamType], resolve: (s) => s.groupTeams }),
    defaultRole: t.exposeString('defaultRole'),
    passwordLoginDisabled: t.exposeBoolean('passwordLoginDisabled'),
  }),
});

const GroupRoleInput = builder.inputType('SsoGroupRoleInput', { fields: (t) => ({ group: t.string({ required: true }), role: t.string({ required: true }) }) });
const GroupTeamInput = builder.inputType('SsoGroupTeamInput', {
  fields: (t) => ({ group: t.string({ required: true }), teamId: t.id({ required: true }) }),
});
const SsoSettingsInput = builder.inputType('SsoSettingsInput', {
  fields: (t) => ({
    enabled: t.boolean({ required: true }),
    issuerUrl: t.string({ required: true }),
    clientId: t.string({ required: true }),
    clientSecret: t.string({ description: 'Omit to keep the stored secret; empty to clear it.' }),
    redirectUrl: t.string({ required: true }),
    scopes: t.stringList(),
    groupClaim: t.string(),
    groupRoles: t.field({ type: [GroupRoleInput] }),
    groupTeams: t.field({ type: [GroupTeamInput] }),
    defaultRole: t.string(),
    passwordLoginDisabled: t.boolean(),
  }),
});

builder.queryField('ssoSettings', (t) =>
  t.field({ type: SsoSettingsType, nullable: true, authScopes: { admin: true }, resolve: (_root, _args, ctx) => ctx.services.settings.read().sso }),
);

const LoginOptions = builder.simpleObject('LoginOptions', {
  description: 'How the login page offers to sign in (public).',
  fields: (t) => ({ sso: t.boolean(), ssoStartPath: t.string(), passwordLogin: t.boolean() }),
});

builder.queryField('loginOptions', (t) =>
  t.field({
    type: LoginOptions,
    skipTypeScopes: true,
    resolve: (_root, _args, ctx) => {
      const sso = ctx.services.settings.read().sso;
      return { sso: sso?.enabled === true, ssoStartPath: SSO_START_PATH, passwordLogin: !passwordLoginOff(sso) };
    },
  }),
);

builder.mutationField('updateSsoSettings', (t) =>
  t.field({
    type: SsoSettingsType,
    args: { input: t.arg({ type: SsoSettingsInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.configService.sso.update(actorOf(ctx), validate(ssoSettingsSchema, withoutUndefined(input))),
  }),
);

/** Password sign-in is refused only while SSO is on, so an instance cannot lock every admin out by a half-made setup. */
export function passwordLoginOff(sso: StoredSsoSettings | null): boolean {
  return sso?.enabled === true && sso.passwordLoginDisabled;
}
