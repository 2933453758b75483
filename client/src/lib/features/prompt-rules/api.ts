import { graphql } from '$lib/graphql/generated';

export const PromptRulesQuery = graphql(`
  query PromptRules($virtualModelId: ID!) {
    promptRules(virtualModelId: $virtualModelId) {
      id
      position
      enabled
      kind
      match
      replacement
      regex
      caseSensitive
      scope
      text
      target
      role
      at
    }
  }
`);

export const CreatePromptRuleMutation = graphql(`
  mutation CreatePromptRule($virtualModelId: ID!, $input: PromptRuleInput!) {
    createPromptRule(virtualModelId: $virtualModelId, input: $input) {
      id
    }
  }
`);

export const UpdatePromptRuleMutation = graphql(`
  mutation UpdatePromptRule($id: ID!, $input: UpdatePromptRuleInput!) {
    updatePromptRule(id: $id, input: $input) {
      id
      enabled
    }
  }
`);

export const DeletePromptRuleMutation = graphql(`
  mutation DeletePromptRule($id: ID!) {
    deletePromptRule(id: $id)
  }
`);

export const ReorderPromptRulesMutation = graphql(`
  mutation ReorderPromptRules($virtualModelId: ID!, $ruleIds: [ID!]!) {
    reorderPromptRules(virtualModelId: $virtualModelId, ruleIds: $ruleIds) {
      id
      position
    }
  }
`);

export const PreviewPromptRulesQuery = graphql(`
  query PreviewPromptRules($virtualModelId: ID, $rules: [PromptRuleInput!], $format: ClientFormat!, $sampleRequest: JSON!) {
    previewPromptRules(virtualModelId: $virtualModelId, rules: $rules, format: $format, sampleRequest: $sampleRequest) {
      request
      rulesApplied {
        id
        kind
      }
    }
  }
`);

export const RelayDefaultsQuery = graphql(`
  query RelayDefaults($type: String!) {
    relayDefaults(type: $type) {
      instructionsPolicy
      upstreamInstructions
      droppedFields
      forceStoreFalse
      forceStream
    }
  }
`);
