import { incidentInputSchema, incidentUpdateSchema } from '../../config-service/status-incidents.js';
import { INCIDENT_SEVERITIES, type StatusIncident } from '../../settings/status-incidents.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { validate } from '../validate.js';

const SeverityEnum = builder.enumType('IncidentSeverity', { values: INCIDENT_SEVERITIES.map((s) => s.toUpperCase()) as ['INFO'] });

const IncidentRef = builder.objectRef<StatusIncident>('StatusIncident').implement({
  description: 'An incident or note shown on the public status page.',
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    body: t.exposeString('body'),
    severity: t.field({ type: SeverityEnum, resolve: (i) => i.severity.toUpperCase() as 'INFO' }),
    createdAt: t.field({ type: 'DateTime', resolve: (i) => new Date(i.createdAt) }),
    updatedAt: t.field({ type: 'DateTime', resolve: (i) => new Date(i.updatedAt) }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => (i.resolvedAt ? new Date(i.resolvedAt) : null) }),
  }),
});

const IncidentInput = builder.inputType('StatusIncidentInput', {
  fields: (t) => ({
    title: t.string({ required: true }),
    body: t.string(),
    severity: t.field({ type: SeverityEnum }),
  }),
});

const IncidentUpdateInput = builder.inputType('UpdateStatusIncidentInput', {
  fields: (t) => ({
    title: t.string(),
    body: t.string(),
    severity: t.field({ type: SeverityEnum }),
    resolved: t.boolean({ description: 'true marks it resolved (now), false reopens it.' }),
  }),
});

const lower = <T extends { severity?: string | null }>(input: T) => ({
  ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)),
  ...(input.severity ? { severity: input.severity.toLowerCase() } : {}),
});

builder.queryField('statusIncidents', (t) =>
  t.field({
    type: [IncidentRef],
    description: 'Incidents and notes of the public status page, newest first.',
    resolve: (_root, _args, ctx) => ctx.services.configService.statusIncidents.list(),
  }),
);

builder.mutationField('postStatusIncident', (t) =>
  t.field({
    type: IncidentRef,
    description: 'Posts an incident or note on the public status page.',
    args: { input: t.arg({ type: IncidentInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.configService.statusIncidents.post(actorOf(ctx), validate(incidentInputSchema, lower(input))),
  }),
);

builder.mutationField('updateStatusIncident', (t) =>
  t.field({
    type: IncidentRef,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: IncidentUpdateInput, required: true }) },
    resolve: (_root, { id, input }, ctx) =>
      ctx.services.configService.statusIncidents.update(actorOf(ctx), String(id), validate(incidentUpdateSchema, lower(input))),
  }),
);

builder.mutationField('deleteStatusIncident', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.configService.statusIncidents.delete(actorOf(ctx), String(id));
      return true;
    },
  }),
);
