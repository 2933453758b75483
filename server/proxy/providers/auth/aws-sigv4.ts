import { isRecord } from '../../../core/guards.js';
import { once } from '../../../core/once.js';
import type { ProviderEntry } from '../../../snapshot/types.js';
import type { OutgoingRequest, PrepareRequest } from '../../upstream/http-client.js';
import { awsChainCredentials, type AwsCredentials } from './aws-credential-chain.js';
import { credentialError } from './token-endpoint.js';

export type { AwsCredentials };

/** `options.aws` of a Bedrock provider. */
export interface AwsOptions {
  region?: string;
  accessKeyId?: string;
}

/** How a Bedrock provider authenticates, from its options, its API key and the environment. */
export type BedrockAuth =
  | { kind: 'sigv4'; credentials: AwsCredentials }
  | { kind: 'api-key'; key: string }
  /** No API key: the standard AWS credential chain (profiles, SSO, instance roles …). */
  | { kind: 'chain' }
  /** An API key that is neither a secret nor valid JSON credentials. */
  | { kind: 'none' };

const awsOptionsOf = (provider: ProviderEntry): AwsOptions => (isRecord(provider.options.aws) ? provider.options.aws : {});

/** The region: `options.aws.region`, else the one in a `bedrock-runtime.<region>.amazonaws.com` base URL, else us-east-1. */
export function awsRegionOf(provider: ProviderEntry): string {
  const own = awsOptionsOf(provider).region;
  if (own) return own;
  return /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(provider.baseUrl)?.[1] ?? 'us-east-1';
}

function credentialsFromJson(text: string): AwsCredentials | undefined {
  try {
    const json = JSON.parse(text) as unknown;
    // Plain or as `aws sts get-session-token` prints it ({Credentials: {AccessKeyId, …}}).
    const c = isRecord(json) && isRecord(json.Credentials) ? json.Credentials : json;
    if (!isRecord(c)) return undefined;
    const accessKeyId = c.accessKeyId ?? c.AccessKeyId;
    const secretAccessKey = c.secretAccessKey ?? c.SecretAccessKey;
    const sessionToken = c.sessionToken ?? c.SessionToken;
    if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') return undefined;
    return { accessKeyId, secretAccessKey, ...(typeof sessionToken === 'string' ? { sessionToken } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * In order: a secret access key in the API key field with `options.aws.accessKeyId`;
 * a JSON credentials object in the API key field (with a session token for
 * temporary credentials); a plain API key field without an access key id is a
 * Bedrock API key (bearer); no API key at all uses the process environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) at once, else
 * the rest of the standard AWS credential chain.
 */
export function bedrockAuthOf(provider: ProviderEntry, env: NodeJS.ProcessEnv = process.env): BedrockAuth {
  const key = provider.apiKey?.trim();
  const accessKeyId = awsOptionsOf(provider).accessKeyId;
  if (key) {
    if (key.startsWith('{')) {
      const credentials = credentialsFromJson(key);
      return credentials ? { kind: 'sigv4', credentials } : { kind: 'none' };
    }
    return accessKeyId ? { kind: 'sigv4', credentials: { accessKeyId, secretAccessKey: key } } : { kind: 'api-key', key };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      kind: 'sigv4',
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
    };
  }
  return { kind: 'chain' };
}

/** The signer's packages, imported on the first signature: a gateway without Bedrock never loads them. */
const loadSigner = once(() => Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]));

/** Signs a request for an AWS service (SigV4 over method, path, query, headers and body). */
export async function signAws(
  request: OutgoingRequest,
  credentials: AwsCredentials,
  region: string,
  service: string,
  signingDate?: Date,
): Promise<OutgoingRequest> {
  const [{ SignatureV4 }, { Sha256 }] = await loadSigner();
  const url = new URL(request.url);
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...request.headers, host: url.host },
      body: request.body,
    },
    signingDate ? { signingDate } : {},
  );
  // undici sends the same host from the URL itself.
  const { host: _host, ...headers } = signed.headers;
  return { ...request, headers };
}

/** Bedrock: SigV4 for the `bedrock` service, or a Bedrock API key as a bearer token. */
export function bedrockStep(provider: ProviderEntry): PrepareRequest {
  return async (request) => {
    const auth = bedrockAuthOf(provider);
    switch (auth.kind) {
      case 'sigv4':
        return signAws(request, auth.credentials, awsRegionOf(provider), 'bedrock');
      case 'api-key':
        return { ...request, headers: { ...request.headers, authorization: `Bearer ${auth.key}` } };
      case 'chain': {
        let credentials: AwsCredentials;
        try {
          credentials = await awsChainCredentials();
        } catch (error) {
          throw credentialError(
            provider.name,
            `no AWS credentials in the API key field, and the standard AWS credential chain found none: ${(error as Error).message}`,
          );
        }
        return signAws(request, credentials, awsRegionOf(provider), 'bedrock');
      }
      case 'none':
        throw credentialError(
          provider.name,
          'no AWS credentials (set options.aws.accessKeyId with the secret access key as API key, a JSON credentials object, a Bedrock API key, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)',
        );
      default: {
        const _exhaustive: never = auth;
        return _exhaustive;
      }
    }
  };
}
