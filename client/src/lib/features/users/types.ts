import { tr } from '$lib/i18n';
import type { UsersQuery } from '$lib/graphql/generated/graphql';

export type UserRow = UsersQuery['users'][number];

export const ROLE_OPTIONS = [
  { value: 'admin', label: tr('usersTypes.adminFullAccess') },
  { value: 'viewer', label: tr('usersTypes.viewerReadOnly') },
];
