import { yaml } from './yaml.js';
import type { GatewayConfigFile, GuardrailDecl } from './schema.js';
import { parseEnvRef } from './secret-ref.js';
import type { ConfigState } from './state.js';

export interface ExportedConfig {
  yaml: string;
  /** Every environment variable the file refers to. */
  variables: string[];
  /** Variables named by the export for secrets that were set in the admin UI: set them before applying the file elsewhere. */
  suggestedVariables: string[];
}

/** The configuration as a file. Secrets appear only as `${env:NAME}` references. */
export function exportState(state: ConfigState): ExportedConfig {
  const variables = new Set<string>();
  const suggested = new Set<string>();
  const note = (ref: string | undefined, stored: string | undefined) => {
    const name = ref ? parseEnvRef(ref) : undefined;
    if (!name) return;
    variables.add(name);
    if (stored !== name) suggested.add(name);
  };
  const file: GatewayConfigFile = {
    version: 1,
    settings: state.settings,
    providers: [...state.providers.values()].map((p) => {
      note(p.decl.apiKey, p.storedRefs?.apiKey);
      for (const [header, ref] of Object.entries(p.decl.headers ?? {})) note(ref, p.storedRefs?.headers[header]);
      return p.decl;
    }),
    models: [...state.models.values()].map((m) => {
      for (const [header, ref] of Object.entries(m.requestDefaults?.headers ?? {})) note(ref, state.modelSecrets.get(m.name)?.storedRefs?.[header]);
      return m;
    }),
    virtualModels: [...state.virtualModels.values()],
    virtualKeys: [...state.virtualKeys.values()],
    healthTargets: [...state.healthTargets.values()],
    // Detector names were checked when the guardrail was saved.
    guardrails: [...state.guardrails.values()] as GuardrailDecl[],
    alertChannels: [...state.alertChannels.values()].map((c) => {
      note(c.decl.url, c.storedRefs?.url);
      note(c.decl.secret, c.storedRefs?.secret);
      return c.decl;
    }),
    alertRules: [...state.alertRules.values()],
  };
  const header = [
    '# LLM Gateway configuration (schema: docs/gateway-config.schema.json).',
    '# Secrets are references to environment variables; set these before applying:',
    ...[...variables].sort().map((v) => `#   ${v}${suggested.has(v) ? '   (name suggested by the export: the value was set in the admin UI)' : ''}`),
    '',
  ];
  return {
    yaml: header.join('\n') + yaml().stringify(file, { lineWidth: 0 }),
    variables: [...variables].sort(),
    suggestedVariables: [...suggested].sort(),
  };
}
