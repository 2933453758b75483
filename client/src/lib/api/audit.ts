import { graphql } from '$lib/graphql/generated';

export const AuditEventsQuery = graphql(`
  query AuditEvents($first: Int, $after: String, $actor: String, $entity: String, $action: String, $from: DateTime, $to: DateTime) {
    auditEvents(first: $first, after: $after, actor: $actor, entity: $entity, action: $action, from: $from, to: $to) {
      nodes {
        id
        createdAt
        actorType
        actorEmail
        ip
        userAgent
        operation
        entity
        entityId
        entityName
        action
        before
        after
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
