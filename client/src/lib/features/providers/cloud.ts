/**
 * The non-secret parts of cloud credentials in a provider's options, as the form edits
 * them: `aws` (Bedrock: region, access key id), `vertex` (project, location) and
 * `entra` (Azure OpenAI with Entra ID: tenant, client id, authority host). The secret
 * itself (secret access key, service-account key file, client secret) is the API key.
 */
export type CloudKind = 'aws' | 'vertex' | 'azure';

export interface CloudDraft {
  region: string;
  accessKeyId: string;
  project: string;
  location: string;
  entraOn: boolean;
  tenantId: string;
  clientId: string;
  authorityHost: string;
}

const KIND_BY_TYPE: Record<string, CloudKind> = {
  bedrock: 'aws',
  'bedrock-anthropic': 'aws',
  'vertex-gemini': 'vertex',
  'vertex-anthropic': 'vertex',
  'azure-openai': 'azure',
};

export function cloudKindOf(type: string): CloudKind | undefined {
  return KIND_BY_TYPE[type];
}

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function cloudDraft(options: unknown): CloudDraft {
  const o = record(options);
  const aws = record(o.aws);
  const vertex = record(o.vertex);
  const entra = record(o.entra);
  return {
    region: text(aws.region),
    accessKeyId: text(aws.accessKeyId),
    project: text(vertex.project),
    location: text(vertex.location),
    entraOn: o.entra !== undefined,
    tenantId: text(entra.tenantId),
    clientId: text(entra.clientId),
    authorityHost: text(entra.authorityHost),
  };
}

/** Only the fields that were filled in (an empty field means the default). */
function filled(fields: Record<string, string>): Record<string, string> | undefined {
  const out = Object.fromEntries(
    Object.entries(fields)
      .map(([k, v]) => [k, v.trim()] as const)
      .filter(([, v]) => v !== ''),
  );
  return Object.keys(out).length ? out : undefined;
}

/**
 * The options to save for a cloud provider type: other options kept, this type's
 * credentials set from the draft, other types' removed. Undefined for other types
 * (their options are not the form's to change here).
 */
export function withCloud(options: unknown, type: string, draft: CloudDraft): Record<string, unknown> | undefined {
  const kind = cloudKindOf(type);
  if (!kind) return undefined;
  const { aws: _aws, vertex: _vertex, entra: _entra, ...rest } = record(options);
  switch (kind) {
    case 'aws': {
      const aws = filled({ region: draft.region, accessKeyId: draft.accessKeyId });
      return aws ? { ...rest, aws } : rest;
    }
    case 'vertex': {
      const vertex = filled({ project: draft.project, location: draft.location });
      return vertex ? { ...rest, vertex } : rest;
    }
    case 'azure': {
      if (!draft.entraOn) return rest;
      return { ...rest, entra: { tenantId: draft.tenantId.trim(), clientId: draft.clientId.trim(), ...filled({ authorityHost: draft.authorityHost }) } };
    }
    default: {
      const _exhaustive: never = kind;
      return _exhaustive;
    }
  }
}
