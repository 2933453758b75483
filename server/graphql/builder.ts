import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import type PrismaTypes from '../db/generated/pothos-types.js';
import { getDatamodel } from '../db/generated/pothos-types.js';
import type { GraphQLContext } from './context.js';
import { GraphQLError } from 'graphql';

/**
 * The Pothos builder. Every field is checked by scope: queries and subscriptions
 * ask for `reader` (an admin, or a viewer without a team) and mutations for
 * `admin`, unless a field says otherwise. Team members (a team admin, or a viewer
 * with a team) reach only the fields that open themselves with `teamMember`, and
 * those return only their team's rows (see graphql/team-scope.ts); team admins
 * write their team's keys through fields that accept `teamAdmin`.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { loggedIn: boolean; admin: boolean; reader: boolean; teamMember: boolean; teamAdmin: boolean };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, RelayPlugin, SimpleObjectsPlugin, PrismaPlugin],
  // Cursor connections for long lists (`first` / `after`, `pageInfo`); ids stay the rows' own, no global node lookup.
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    // `nodes` beside `edges`, for lists that need no per-edge cursor.
    nodesOnConnection: true,
  },
  scopeAuth: {
    authScopes: (ctx) => {
      const user = ctx.user;
      const teamId = user?.role === 'admin' ? null : (user?.teamId ?? null);
      return {
        loggedIn: user !== null,
        admin: user?.role === 'admin',
        reader: user?.role === 'admin' || (user?.role === 'viewer' && !teamId),
        teamMember: teamId !== null,
        teamAdmin: user?.role === 'team_admin' && teamId !== null,
      };
    },
    unauthorizedError: (_parent, ctx) =>
      ctx.user === null
        ? new GraphQLError('Not authenticated: log in and send Authorization: Bearer <token>', {
            extensions: { code: 'UNAUTHENTICATED' },
          })
        : new GraphQLError(
            ctx.user.role === 'admin' || ctx.user.role === 'viewer'
              ? 'Forbidden: this operation needs the admin role'
              : 'Forbidden: this operation is outside your team',
            { extensions: { code: 'FORBIDDEN' } },
          ),
  },
  prisma: {
    // The client is passed per request through the context's services.
    client: (ctx) => ctx.services.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
});

/** The `t` of an input type's `fields`: for field sets a create and an update input share. */
export type InputFieldBuilder = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

builder.scalarType('DateTime', {
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 string');
    return date;
  },
});

builder.scalarType('JSON', {
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.queryType({ authScopes: { reader: true } });
builder.mutationType({ authScopes: { admin: true } });
builder.subscriptionType({ authScopes: { reader: true } });
