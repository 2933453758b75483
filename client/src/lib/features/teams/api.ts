import { graphql } from '$lib/graphql/generated';

export const TeamsQuery = graphql(`
  query Teams {
    teams {
      id
      name
      budgetUsd
      budgetPeriod
      rpmLimit
      tpmLimit
      allowedModels
      spendUsd
      limitState {
        rpmUsed
        tpmUsed
        periodSpendUsd
        totalSpendUsd
      }
      keys {
        id
        name
      }
      members {
        id
        email
        role
      }
      createdAt
    }
    users {
      id
      email
      role
    }
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
  }
`);

export const CreateTeamMutation = graphql(`
  mutation CreateTeam($input: CreateTeamInput!) {
    createTeam(input: $input) {
      id
      name
    }
  }
`);

export const UpdateTeamMutation = graphql(`
  mutation UpdateTeam($id: ID!, $input: UpdateTeamInput!) {
    updateTeam(id: $id, input: $input) {
      id
      name
    }
  }
`);

export const DeleteTeamMutation = graphql(`
  mutation DeleteTeam($id: ID!) {
    deleteTeam(id: $id)
  }
`);

export const SetTeamMemberMutation = graphql(`
  mutation SetTeamMember($userId: ID!, $teamId: ID, $role: Role!) {
    setTeamMember(userId: $userId, teamId: $teamId, role: $role) {
      id
      role
    }
  }
`);

/** The team picker of the key form: names only. */
export const TeamNamesQuery = graphql(`
  query TeamNames {
    teams {
      id
      name
    }
  }
`);
