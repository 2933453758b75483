import { graphql } from '$lib/graphql/generated';

export const McpServersQuery = graphql(`
  query McpServers {
    mcpServers {
      id
      name
      url
      transport
      authType
      authSecretHint
      hasAuthSecret
      timeoutMs
      enabled
      toolSettings
      probe {
        ok
        latencyMs
        error
        tools {
          name
          exposedName
          description
          enabled
        }
      }
    }
    mcpCalls(take: 50) {
      id
      createdAt
      keyName
      serverName
      tool
      source
      status
      latencyMs
      errorMessage
    }
  }
`);

export const CreateMcpServerMutation = graphql(`
  mutation CreateMcpServer($input: CreateMcpServerInput!) {
    createMcpServer(input: $input) {
      id
      name
    }
  }
`);

export const UpdateMcpServerMutation = graphql(`
  mutation UpdateMcpServer($id: ID!, $input: UpdateMcpServerInput!) {
    updateMcpServer(id: $id, input: $input) {
      id
      enabled
    }
  }
`);

export const DeleteMcpServerMutation = graphql(`
  mutation DeleteMcpServer($id: ID!) {
    deleteMcpServer(id: $id)
  }
`);

export const McpKeysQuery = graphql(`
  query McpKeys {
    virtualKeys(first: 500, purpose: "app") {
      nodes {
        id
        name
      }
    }
  }
`);

export const McpKeyAccessQuery = graphql(`
  query McpKeyAccess($keyId: ID!) {
    mcpKeyAccess(keyId: $keyId) {
      serverId
      tools
    }
  }
`);

export const SetMcpKeyAccessMutation = graphql(`
  mutation SetMcpKeyAccess($keyId: ID!, $access: [McpKeyAccessInput!]!) {
    setMcpKeyAccess(keyId: $keyId, access: $access) {
      serverId
      tools
    }
  }
`);
