import { yaml } from '../yaml.js';
import { findPreset } from '../../proxy/providers/presets.js';
import type { GatewayConfigFile, ModelDecl, ProviderDecl, VirtualModelDecl } from '../schema.js';

/** One upstream serving a public model name, as another gateway describes it. */
export interface Deployment {
  publicName: string;
  provider: Omit<ProviderDecl, 'name'>;
  /** Suggested provider name (made unique). */
  providerName: string;
  upstreamModel: string;
  weight?: number;
  /** Lower runs first. */
  priority?: number;
  model?: Partial<Omit<ModelDecl, 'name' | 'provider' | 'upstreamModel'>>;
}

export interface ImportResult {
  yaml: string;
  file: GatewayConfigFile;
  /** What could not be carried over, one line each. */
  unmapped: string[];
  /** Environment variables the file's secret references need. */
  variables: string[];
}

/** A scalar field of an imported file as text (YAML and JSON may give numbers); anything else is ''. */
export const scalarText = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

export const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'provider';

/**
 * Deployments → the gateway's file: one provider per distinct (type, base URL,
 * key reference), one model per deployment; a public name served by several
 * deployments becomes a virtual model over them (`strategy`), and fallback
 * chains become failover virtual models.
 */
export function assemble(
  deployments: Deployment[],
  options: {
    strategy: VirtualModelDecl['strategy'];
    fallbacks?: Map<string, string[]>;
    routeOptions?: VirtualModelDecl['options'];
    unmapped: string[];
    source: string;
  },
): ImportResult {
  const providers = new Map<string, ProviderDecl>();
  const providerBySignature = new Map<string, string>();
  const unique = (base: string, taken: { has(name: string): boolean }) => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    return name;
  };
  const providerFor = (d: Deployment) => {
    const baseUrl = d.provider.baseUrl ?? findPreset(d.provider.type)?.defaultBaseUrl;
    const signature = JSON.stringify([d.provider.type, baseUrl, d.provider.apiKey ?? null, d.provider.options ?? null]);
    let name = providerBySignature.get(signature);
    if (!name) {
      name = unique(slug(d.providerName), providers);
      providers.set(name, { name, ...d.provider });
      providerBySignature.set(signature, name);
    }
    return name;
  };
  const groups = new Map<string, Array<Deployment & { provider_: string }>>();
  for (const d of deployments) {
    const group = groups.get(d.publicName) ?? [];
    group.push({ ...d, provider_: providerFor(d) });
    groups.set(d.publicName, group);
  }
  const fallbacks = options.fallbacks ?? new Map<string, string[]>();
  const models: ModelDecl[] = [];
  const modelNames = new Set<string>();
  /** Model names behind each public name. */
  const served = new Map<string, string[]>();
  for (const [publicName, group] of groups) {
    const routed = group.length > 1 || fallbacks.has(publicName);
    const names: string[] = [];
    for (const d of group) {
      const name = routed ? unique(`${publicName}@${d.provider_}`, modelNames) : publicName;
      modelNames.add(name);
      names.push(name);
      models.push({ name, provider: d.provider_, upstreamModel: d.upstreamModel, ...d.model });
    }
    served.set(publicName, names);
  }
  const virtualModels: VirtualModelDecl[] = [];
  for (const [publicName, group] of groups) {
    const names = served.get(publicName)!;
    const chain = fallbacks.get(publicName);
    if (!chain && names.length === 1) continue;
    const targets: VirtualModelDecl['targets'] = group.map((d, i) => ({ model: names[i], weight: d.weight ?? 1, priority: d.priority ?? 0 }));
    let strategy = options.strategy;
    if (chain) {
      strategy = 'FAILOVER';
      const base = Math.max(0, ...targets.map((t) => t.priority ?? 0)) + 1;
      for (const [step, fallback] of chain.entries()) {
        const behind = served.get(fallback);
        if (!behind) {
          options.unmapped.push(`fallback "${publicName}" → "${fallback}": no model named "${fallback}" in the ${options.source} file`);
          continue;
        }
        for (const model of behind) if (!targets.some((t) => t.model === model)) targets.push({ model, weight: 1, priority: base + step });
      }
      if (group.length > 1)
        options.unmapped.push(`"${publicName}": load balancing among its ${group.length} deployments is kept only as weights within the failover chain`);
    } else if (group.some((d) => d.priority !== undefined && d.priority !== group[0].priority)) {
      strategy = 'FAILOVER';
    }
    virtualModels.push({
      name: publicName,
      strategy,
      targets,
      ...(options.routeOptions && Object.keys(options.routeOptions).length ? { options: options.routeOptions } : {}),
    });
  }
  const file: GatewayConfigFile = { version: 1, providers: [...providers.values()], models, ...(virtualModels.length ? { virtualModels } : {}) };
  const variables = [
    ...new Set(
      [...providers.values()].flatMap((p) => [p.apiKey, ...Object.values(p.headers ?? {})]).flatMap((ref) => (ref ? [/\{env:([^}]+)\}/.exec(ref)![1]] : [])),
    ),
  ].sort();
  const header = [
    `# LLM Gateway configuration imported from ${options.source} (schema: docs/gateway-config.schema.json).`,
    ...(variables.length ? ['# Set these environment variables before applying:', ...variables.map((v) => `#   ${v}`)] : []),
    ...(options.unmapped.length ? ['# Not mapped:', ...options.unmapped.map((u) => `#   - ${u}`)] : []),
    '',
  ];
  return { yaml: header.join('\n') + yaml().stringify(file, { lineWidth: 0 }), file, unmapped: options.unmapped, variables };
}

/** Environment variable name for a secret the source file held in plain text. */
export const envNameFor = (...parts: string[]) =>
  parts
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(?=[0-9])/, '_');
