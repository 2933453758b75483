import { z } from 'zod';
import { maskSecret } from '../crypto/secret-box.js';
import type { StoredSsoSettings } from '../settings/sso-settings.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError } from './errors.js';

const SETTING_KEY = 'sso';
/** Roles a group can map to (and the default role); a team admin needs a team from a group → team mapping. */
export const SSO_ROLES = ['admin', 'team_admin', 'viewer'] as const;

const httpUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const ssoSettingsSchema = z.object({
  enabled: z.boolean(),
  issuerUrl: httpUrl,
  clientId: z.string().trim().min(1, 'is required').max(500),
  /** undefined: keep the stored secret; '' or null: clear it. */
  clientSecret: z.string().max(2000).nullable().optional(),
  redirectUrl: httpUrl,
  scopes: z.array(z.string().trim().min(1).max(100)).max(30).default(['openid', 'email', 'profile']),
  groupClaim: z.string().trim().min(1).max(200).default('groups'),
  groupRoles: z
    .array(z.object({ group: z.string().trim().min(1).max(500), role: z.enum(SSO_ROLES) }))
    .max(500)
    .default([]),
  groupTeams: z
    .array(z.object({ group: z.string().trim().min(1).max(500), teamId: z.string().trim().min(1).max(100) }))
    .max(500)
    .default([]),
  defaultRole: z.enum(SSO_ROLES).default('viewer'),
  passwordLoginDisabled: z.boolean().default(false),
});
export type SsoSettingsInput = z.input<typeof ssoSettingsSchema>;

/** SSO settings: the client secret sealed like provider keys; stored as the `sso` setting. */
export function ssoConfig(deps: EntityDeps) {
  const { db, secretBox } = deps;
  return {
    async update(actor: ConfigActor, input: z.output<typeof ssoSettingsSchema>): Promise<StoredSsoSettings> {
      const row = await db.setting.findUnique({ where: { key: SETTING_KEY } });
      const before = (row?.value ?? null) as StoredSsoSettings | null;
      if (!input.scopes.includes('openid')) throw new ConfigInputError('scopes: must include openid', 'scopes');
      if (input.enabled === false && input.passwordLoginDisabled) {
        throw new ConfigInputError('passwordLoginDisabled: password sign-in can only be turned off while SSO is on', 'passwordLoginDisabled');
      }
      const secret =
        input.clientSecret === undefined
          ? { clientSecretSealed: before?.clientSecretSealed ?? null, clientSecretHint: before?.clientSecretHint ?? null }
          : input.clientSecret === null || input.clientSecret === ''
            ? { clientSecretSealed: null, clientSecretHint: null }
            : { clientSecretSealed: secretBox.seal(input.clientSecret), clientSecretHint: maskSecret(input.clientSecret) };
      const { clientSecret: _dropped, ...fields } = input;
      const after: StoredSsoSettings = { ...fields, ...secret };
      await db.setting.upsert({ where: { key: SETTING_KEY }, create: { key: SETTING_KEY, value: after as never }, update: { value: after as never } });
      await deps.changed([{ actor, entity: 'settings', action: 'update', id: null, name: SETTING_KEY, before, after }]);
      return after;
    },
  };
}
