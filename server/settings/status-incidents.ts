/** How bad an incident is, as the public status page shows it. */
export const INCIDENT_SEVERITIES = ['info', 'maintenance', 'degraded', 'outage'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/** An incident or note an admin posted for the public status page (stored in the `statusIncidents` setting). */
export interface StatusIncident {
  id: string;
  title: string;
  body: string;
  severity: IncidentSeverity;
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}
