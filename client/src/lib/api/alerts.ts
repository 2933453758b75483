import { graphql } from '$lib/graphql/generated';

export const AlertsQuery = graphql(`
  query Alerts {
    alertRules {
      id
      name
      kind
      params
      channelIds
      cooldownSeconds
      enabled
    }
    alertChannels {
      id
      name
      kind
      url
      hasSecret
      enabled
    }
    alertHistory(take: 100) {
      id
      createdAt
      ruleName
      kind
      severity
      title
      message
      deliveries {
        channel
        ok
        error
      }
    }
  }
`);

export const CreateAlertChannelMutation = graphql(`
  mutation CreateAlertChannel($input: AlertChannelInput!) {
    createAlertChannel(input: $input) {
      id
      name
    }
  }
`);

export const UpdateAlertChannelMutation = graphql(`
  mutation UpdateAlertChannel($id: ID!, $input: UpdateAlertChannelInput!) {
    updateAlertChannel(id: $id, input: $input) {
      id
      enabled
    }
  }
`);

export const DeleteAlertChannelMutation = graphql(`
  mutation DeleteAlertChannel($id: ID!) {
    deleteAlertChannel(id: $id)
  }
`);

export const CreateAlertRuleMutation = graphql(`
  mutation CreateAlertRule($input: AlertRuleInput!) {
    createAlertRule(input: $input) {
      id
      name
    }
  }
`);

export const UpdateAlertRuleMutation = graphql(`
  mutation UpdateAlertRule($id: ID!, $input: UpdateAlertRuleInput!) {
    updateAlertRule(id: $id, input: $input) {
      id
      enabled
    }
  }
`);

export const DeleteAlertRuleMutation = graphql(`
  mutation DeleteAlertRule($id: ID!) {
    deleteAlertRule(id: $id)
  }
`);

export const SendTestAlertMutation = graphql(`
  mutation SendTestAlert($channelId: ID!) {
    sendTestAlert(channelId: $channelId) {
      ok
      error
    }
  }
`);
