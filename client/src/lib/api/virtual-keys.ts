import { graphql } from '$lib/graphql/generated';

export const VirtualKeysQuery = graphql(`
  query VirtualKeys($includeRevoked: Boolean, $first: Int, $after: String) {
    virtualKeys(includeRevoked: $includeRevoked, first: $first, after: $after) {
      nodes {
        id
        name
        managedBy
        keyPrefix
        allowedModels
        rpmLimit
        tpmLimit
        maxConcurrency
        budgetUsd
        budgetPeriod
        spendUsd
        expiresAt
        rotatedAt
        previousKeyExpiresAt
        enabled
        revokedAt
        logBodies
        purpose
        teamId
        team {
          id
          name
        }
        lastUsedAt
        createdAt
        cache {
          enabled
          ttlSeconds
          shared
          clientControl
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** What the key form picks from (admin reads: a team member's keys page loads without it). */
export const KeyFormOptionsQuery = graphql(`
  query KeyFormOptions {
    models(first: 500) {
      nodes {
        id
        name
      }
    }
    virtualModels {
      id
      name
    }
    teams {
      id
      name
    }
  }
`);

/** A team admin's key form: only its own team, whose allow-list bounds what a key may name. */
export const TeamKeyFormOptionsQuery = graphql(`
  query TeamKeyFormOptions {
    teams {
      id
      name
      allowedModels
    }
  }
`);

export const CreateVirtualKeyMutation = graphql(`
  mutation CreateVirtualKey($input: CreateVirtualKeyInput!) {
    createVirtualKey(input: $input) {
      key
      virtualKey {
        id
        name
      }
    }
  }
`);

export const UpdateVirtualKeyMutation = graphql(`
  mutation UpdateVirtualKey($id: ID!, $input: UpdateVirtualKeyInput!) {
    updateVirtualKey(id: $id, input: $input) {
      id
      name
    }
  }
`);

export const RevokeVirtualKeyMutation = graphql(`
  mutation RevokeVirtualKey($id: ID!) {
    revokeVirtualKey(id: $id) {
      id
      revokedAt
    }
  }
`);

export const DeleteVirtualKeyMutation = graphql(`
  mutation DeleteVirtualKey($id: ID!) {
    deleteVirtualKey(id: $id)
  }
`);

export const RotateVirtualKeyMutation = graphql(`
  mutation RotateVirtualKey($id: ID!, $gracePeriodSeconds: Int!) {
    rotateVirtualKey(id: $id, gracePeriodSeconds: $gracePeriodSeconds) {
      key
      virtualKey {
        id
        previousKeyExpiresAt
      }
    }
  }
`);
