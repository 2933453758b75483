import { graphql } from '$lib/graphql/generated';

export const SettingsQuery = graphql(`
  query Settings {
    settings {
      monitoringEnabled
    }
  }
`);

export const UpdateSettingsMutation = graphql(`
  mutation UpdateSettings($input: UpdateSettingsInput!) {
    updateSettings(input: $input) {
      monitoringEnabled
    }
  }
`);

export const SsoSettingsQuery = graphql(`
  query SsoSettings {
    ssoSettings {
      enabled
      issuerUrl
      clientId
      clientSecretSet
      clientSecretHint
      redirectUrl
      scopes
      groupClaim
      groupRoles {
        group
        role
      }
      groupTeams {
        group
        teamId
      }
      defaultRole
      passwordLoginDisabled
    }
  }
`);

export const UpdateSsoSettingsMutation = graphql(`
  mutation UpdateSsoSettings($input: SsoSettingsInput!) {
    updateSsoSettings(input: $input) {
      enabled
      clientSecretSet
    }
  }
`);
