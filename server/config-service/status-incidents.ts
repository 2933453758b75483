import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { INCIDENT_SEVERITIES, type StatusIncident } from '../settings/status-incidents.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigNotFoundError } from './errors.js';

const SETTING_KEY = 'statusIncidents';
/** Incidents kept; the oldest resolved ones go first beyond this. */
export const MAX_INCIDENTS = 50;

export const incidentInputSchema = z.object({
  title: z.string().trim().min(1, 'must not be empty').max(200),
  body: z.string().trim().max(5_000).default(''),
  severity: z.enum(INCIDENT_SEVERITIES).default('info'),
});
export const incidentUpdateSchema = incidentInputSchema.partial().extend({ resolved: z.boolean().optional() });
export type IncidentInput = z.output<typeof incidentInputSchema>;
export type IncidentUpdate = z.output<typeof incidentUpdateSchema>;

/** Incidents and notes of the public status page, stored as one setting (read from memory by the public route). */
export function statusIncidentsConfig(deps: EntityDeps) {
  const { db } = deps;
  const load = async (): Promise<StatusIncident[]> => {
    const row = await db.setting.findUnique({ where: { key: SETTING_KEY } });
    return Array.isArray(row?.value) ? (row.value as unknown as StatusIncident[]) : [];
  };
  const save = async (actor: ConfigActor, action: 'create' | 'update' | 'delete', before: StatusIncident[], after: StatusIncident[], name: string) => {
    await db.setting.upsert({ where: { key: SETTING_KEY }, create: { key: SETTING_KEY, value: after as never }, update: { value: after as never } });
    await deps.changed([{ actor, entity: 'settings', action, id: null, name: `${SETTING_KEY}: ${name}`, before, after }]);
  };
  return {
    list: load,

    async post(actor: ConfigActor, input: IncidentInput): Promise<StatusIncident> {
      const before = await load();
      const now = new Date().toISOString();
      const incident: StatusIncident = { id: randomUUID(), ...input, createdAt: now, updatedAt: now, resolvedAt: null };
      const after = keepNewest([incident, ...before]);
      await save(actor, 'create', before, after, incident.title);
      return incident;
    },

    async update(actor: ConfigActor, id: string, change: IncidentUpdate): Promise<StatusIncident> {
      const before = await load();
      const found = before.find((i) => i.id === id);
      if (!found) throw new ConfigNotFoundError(`Incident ${id}`);
      const { resolved, ...fields } = change;
      const now = new Date().toISOString();
      const updated: StatusIncident = {
        ...found,
        ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
        updatedAt: now,
        resolvedAt: resolved === undefined ? found.resolvedAt : resolved ? (found.resolvedAt ?? now) : null,
      };
      await save(
        actor,
        'update',
        before,
        before.map((i) => (i.id === id ? updated : i)),
        updated.title,
      );
      return updated;
    },

    async delete(actor: ConfigActor, id: string): Promise<void> {
      const before = await load();
      const found = before.find((i) => i.id === id);
      if (!found) throw new ConfigNotFoundError(`Incident ${id}`);
      await save(
        actor,
        'delete',
        before,
        before.filter((i) => i.id !== id),
        found.title,
      );
    },
  };
}

/** Open incidents are always kept; beyond the cap the oldest resolved ones are dropped. */
function keepNewest(incidents: StatusIncident[]): StatusIncident[] {
  const out = [...incidents];
  for (let i = out.length - 1; out.length > MAX_INCIDENTS && i >= 0; i--) if (out[i].resolvedAt !== null) out.splice(i, 1);
  return out;
}
