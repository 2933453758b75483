// Date ranges of the usage history: the last 24 hours by the hour, 7 or 30 days (or a custom span) by the day.
export type RangeChoice = '24h' | '7d' | '30d' | 'custom';
export type Bucket = 'HOUR' | 'DAY';

export interface UsageRange {
  from: Date;
  to: Date;
  bucket: Bucket;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** UTC buckets (the API's), so a day bucket is a UTC day. */
export function usageRange(choice: RangeChoice, now: Date, custom: { from: string; to: string }): UsageRange {
  const hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const dayEnd = Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  switch (choice) {
    case '24h':
      return { from: new Date(hour + HOUR_MS - 24 * HOUR_MS), to: new Date(hour + HOUR_MS), bucket: 'HOUR' };
    case '7d':
      return { from: new Date(dayEnd - 7 * DAY_MS), to: new Date(dayEnd), bucket: 'DAY' };
    case '30d':
      return { from: new Date(dayEnd - 30 * DAY_MS), to: new Date(dayEnd), bucket: 'DAY' };
    case 'custom': {
      const from = Date.parse(`${custom.from}T00:00:00Z`);
      const to = Date.parse(`${custom.to}T00:00:00Z`) + DAY_MS;
      if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return usageRange('30d', now, custom);
      return { from: new Date(from), to: new Date(Math.min(to, from + 730 * DAY_MS)), bucket: 'DAY' };
    }
    default: {
      const _exhaustive: never = choice;
      return _exhaustive;
    }
  }
}

/** RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled. */
export function toCsv(rows: Array<Array<string | number>>): string {
  const field = (v: string | number) => {
    const text = String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
