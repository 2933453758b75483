/**
 * A small parser of the Prometheus text exposition format (0.0.4), strict
 * enough to catch malformed output: every sample must belong to a family with
 * a # TYPE line, label sets must parse, values must be numbers.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  type: string;
  help?: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+(-?\\d+))?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

/** Floats as Prometheus reads them (Go's ParseFloat: Inf and NaN in any letter case). */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`bad sample value: ${text}`);
  return value;
}

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`bad label set: {${text}}`);
    labels[match[1]] = match[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    if (match[3] === '') break;
  }
  return labels;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const familyOf = (sample: string): Family | undefined => {
    for (const suffix of ['', '_bucket', '_sum', '_count', '_total', '_created']) {
      if (suffix && !sample.endsWith(suffix)) continue;
      const family = families.get(sample.slice(0, sample.length - suffix.length));
      if (family) return family;
    }
    return undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line);
      if (!meta) continue; // a plain comment
      const [, kind, name, rest] = meta;
      const family = families.get(name) ?? { name: name, type: 'untyped', samples: [] };
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type: ${line}`);
        family.type = rest!;
      } else family.help = rest;
      families.set(name, family);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`bad sample line: ${line}`);
    const family = familyOf(match[1]);
    if (!family) throw new Error(`sample without # TYPE: ${line}`);
    family.samples.push({ name: match[1], labels: parseLabels(match[2]), value: parseValue(match[3]) });
  }
  return families;
}

/** Sum of the samples of `name` whose labels include all of `labels` (undefined when none). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string>, family = name): number | undefined {
  const f = families.get(family);
  const found = f?.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (!found || found.length === 0) return undefined;
  return found.reduce((sum, s) => sum + s.value, 0);
}
