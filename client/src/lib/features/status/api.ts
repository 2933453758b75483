import { graphql } from '$lib/graphql/generated';

export const StatusIncidentsQuery = graphql(`
  query StatusIncidents {
    statusIncidents {
      id
      title
      body
      severity
      createdAt
      resolvedAt
    }
  }
`);

export const PostStatusIncidentMutation = graphql(`
  mutation PostStatusIncident($input: StatusIncidentInput!) {
    postStatusIncident(input: $input) {
      id
    }
  }
`);

export const UpdateStatusIncidentMutation = graphql(`
  mutation UpdateStatusIncident($id: ID!, $input: UpdateStatusIncidentInput!) {
    updateStatusIncident(id: $id, input: $input) {
      id
      resolvedAt
    }
  }
`);

export const DeleteStatusIncidentMutation = graphql(`
  mutation DeleteStatusIncident($id: ID!) {
    deleteStatusIncident(id: $id)
  }
`);

/** An incident as `/public/health/incidents` serves it (server/health/public-views.ts). */
export interface PublicIncident {
  id: string;
  title: string;
  body: string;
  severity: 'info' | 'maintenance' | 'degraded' | 'outage';
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
}
