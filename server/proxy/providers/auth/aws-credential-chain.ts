/** What SigV4 signs with. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type CredentialProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;

/** A failed lookup is remembered this long, so requests do not each probe instance metadata again. */
const FAILURE_TTL_MS = 30_000;

let provider: Promise<CredentialProvider> | undefined;
let failure: { at: number; message: string } | undefined;

/**
 * The standard AWS credential chain (environment, shared config and
 * credentials files with profiles and SSO, credential_process, web identity,
 * ECS and EC2 instance roles), as the AWS SDK resolves it: loaded on first
 * use only, and refreshed by the SDK's own memoization before credentials
 * expire.
 */
export async function awsChainCredentials(now = Date.now()): Promise<AwsCredentials> {
  if (failure && now - failure.at < FAILURE_TTL_MS) throw new Error(failure.message);
  provider ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
  try {
    const found = await (await provider)();
    failure = undefined;
    return { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey, ...(found.sessionToken ? { sessionToken: found.sessionToken } : {}) };
  } catch (error) {
    failure = { at: now, message: error instanceof Error ? error.message : String(error) };
    throw error;
  }
}
