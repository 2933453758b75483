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
