import { builder } from '../builder.js';

builder.prismaObject('AuditEvent', {
  description: 'One admin action: who, when, from where, what, and the change (before → after, secrets masked).',
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    actorType: t.exposeString('actorType', { description: 'user | config-file | anonymous | system' }),
    actorId: t.exposeID('actorId', { nullable: true, description: 'The user, when the actor is one.' }),
    actorEmail: t.exposeString('actorEmail', { nullable: true }),
    ip: t.exposeString('ip', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    operation: t.exposeString('operation', { nullable: true, description: 'The GraphQL mutation behind the change.' }),
    entity: t.exposeString('entity'),
    entityId: t.exposeID('entityId', { nullable: true }),
    entityName: t.exposeString('entityName', { nullable: true }),
    action: t.exposeString('action'),
    before: t.expose('before', { type: 'JSON', nullable: true }),
    after: t.expose('after', { type: 'JSON', nullable: true }),
  }),
});

builder.queryField('auditEvents', (t) =>
  t.prismaConnection(
    {
      type: 'AuditEvent',
      cursor: 'id',
      authScopes: { admin: true },
      description: 'The audit log, newest first; first: default 50, at most 500. Filters combine.',
      defaultSize: 50,
      maxSize: 500,
      args: {
        actor: t.arg.string({ description: "The actor's user id or email." }),
        entity: t.arg.string(),
        entityId: t.arg.id(),
        action: t.arg.string(),
        from: t.arg({ type: 'DateTime', description: 'At or after this time.' }),
        to: t.arg({ type: 'DateTime', description: 'Before this time.' }),
      },
      resolve: (query, _root, args, ctx) =>
        ctx.services.db.auditEvent.findMany({
          ...query,
          where: {
            ...(args.actor ? { OR: [{ actorId: args.actor }, { actorEmail: args.actor.toLowerCase() }] } : {}),
            ...(args.entity ? { entity: args.entity } : {}),
            ...(args.entityId ? { entityId: args.entityId } : {}),
            ...(args.action ? { action: args.action } : {}),
            ...(args.from || args.to ? { createdAt: { ...(args.from ? { gte: args.from } : {}), ...(args.to ? { lt: args.to } : {}) } } : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    { name: 'AuditEventConnection' },
    { name: 'AuditEventEdge' },
  ),
);
