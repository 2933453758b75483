import { graphql } from '$lib/graphql/generated';

export const GuardrailsQuery = graphql(`
  query Guardrails {
    guardrails {
      id
      name
      description
      mode
      stage
      enabled
      detectors
      patterns {
        label
        pattern
        caseSensitive
      }
      words
      moderation {
        model
        format
        timeoutMs
        failClosed
      }
      keyIds
      virtualModelIds
    }
    virtualKeys(first: 500) {
      nodes {
        id
        name
      }
    }
    virtualModels {
      id
      name
    }
  }
`);

export const CreateGuardrailMutation = graphql(`
  mutation CreateGuardrail($input: GuardrailInput!) {
    createGuardrail(input: $input) {
      id
      name
    }
  }
`);

export const UpdateGuardrailMutation = graphql(`
  mutation UpdateGuardrail($id: ID!, $input: UpdateGuardrailInput!) {
    updateGuardrail(id: $id, input: $input) {
      id
      enabled
    }
  }
`);

export const DeleteGuardrailMutation = graphql(`
  mutation DeleteGuardrail($id: ID!) {
    deleteGuardrail(id: $id)
  }
`);

export const PreviewGuardrailQuery = graphql(`
  query PreviewGuardrail($input: GuardrailInput!, $sample: String!) {
    previewGuardrail(input: $input, sample: $sample) {
      text
      restored
      found
      count
      blockedMessage
    }
  }
`);
