import type { UsersQuery } from '$lib/graphql/generated/graphql';

export type UserRow = UsersQuery['users'][number];

export const ROLE_OPTIONS = [
  { value: 'admin', label: 'Admin: full access' },
  { value: 'viewer', label: 'Viewer: read-only' },
];
