/**
 * The admin GraphQL API as the suites use it: one way to send an operation,
 * sign in, and create the fixtures most suites need (providers, models, keys,
 * virtual models, prompt rules, users). Works on any gateway URL, in-process
 * (`TestGateway`) or in a child process (`GatewayProcess`).
 */
import { BEDROCK_CREDENTIALS, DEFAULT_API_KEY } from './mock-upstreams/types.js';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct-horse-battery';

export type Variables = Record<string, unknown>;

export interface GraphQLErrorBody {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, any>;
}

export interface GraphQLResult<T> {
  data?: T;
  errors?: GraphQLErrorBody[];
}

/** POSTs one operation to `${baseUrl}/graphql` and returns the body as the server sent it. */
export async function postOperation<T = unknown>(baseUrl: string, query: string, variables?: Variables, token?: string | null): Promise<GraphQLResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as GraphQLResult<T>;
}

/** The errors of a result as one line: each message, with its code when it has one. */
export function describeErrors(errors: readonly GraphQLErrorBody[]): string {
  return errors.map((e) => (e.extensions?.code ? `${e.message} (${e.extensions.code})` : e.message)).join('; ');
}

/** The data of a result that must have succeeded; any GraphQL error fails with the errors' messages. */
export function dataOf<T>(result: GraphQLResult<T>): T {
  if (result.errors?.length) throw new Error(`GraphQL error: ${describeErrors(result.errors)}`);
  if (result.data === undefined || result.data === null) throw new Error(`GraphQL answered without data: ${JSON.stringify(result)}`);
  return result.data;
}

/** Sends an operation and returns its data; any GraphQL error fails with the errors' messages. */
export async function gql<T = unknown>(baseUrl: string, query: string, variables?: Variables, token?: string | null): Promise<T> {
  return dataOf(await postOperation<T>(baseUrl, query, variables, token));
}

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';

/** Signs in (the bootstrap admin by default) and returns the session token. */
export async function signIn(baseUrl: string, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<string> {
  const data = await gql<{ login: { token: string } }>(baseUrl, LOGIN, { e: email, p: password });
  return data.login.token;
}

/** An operation sent as a signed-in user; throws on GraphQL errors. */
export type Admin = <T = unknown>(query: string, variables?: Variables) => Promise<T>;

/** A client that signs in on first use and keeps the token for the calls after. */
export function adminClient(baseUrl: string, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): { admin: Admin; token(): Promise<string> } {
  let token: Promise<string> | undefined;
  // A failed sign-in is not kept, so the next call tries again.
  const session = () =>
    (token ??= signIn(baseUrl, email, password).catch((error: unknown) => {
      token = undefined;
      throw error;
    }));
  return {
    token: session,
    admin: async <T = unknown>(query: string, variables?: Variables) => gql<T>(baseUrl, query, variables, await session()),
  };
}

/** Anything the fixtures can send admin operations through: a gateway (`gw.admin`) or the function itself. */
export type AdminTarget = Admin | { admin: Admin };

const adminOf = (target: AdminTarget): Admin => (typeof target === 'function' ? target : target.admin.bind(target));

const randomSuffix = () => Math.random().toString(36).slice(2, 8);

export interface ProviderInput {
  name: string;
  type: string;
  baseUrl?: string;
  /** Defaults to the key the mock upstreams accept; pass `undefined` for a provider without one. */
  apiKey?: string;
  options?: Record<string, unknown>;
  headers?: Record<string, string>;
  [field: string]: unknown;
}

export async function createProvider(target: AdminTarget, input: ProviderInput): Promise<string> {
  const data = await adminOf(target)<{ createProvider: { id: string } }>('mutation($i: CreateProviderInput!) { createProvider(input: $i) { id } }', {
    i: { apiKey: DEFAULT_API_KEY, ...input },
  });
  return data.createProvider.id;
}

/**
 * A Bedrock provider (`bedrock` for Converse, `bedrock-anthropic` for InvokeModel) that signs with the
 * mocks' AWS credentials; with `wrongSecret` its secret access key is not theirs (every request refused).
 */
export async function createBedrockProvider(
  target: AdminTarget,
  input: { name: string; type: 'bedrock' | 'bedrock-anthropic'; baseUrl: string; wrongSecret?: boolean },
): Promise<string> {
  const { wrongSecret = false, ...provider } = input;
  return createProvider(target, {
    ...provider,
    apiKey: wrongSecret ? 'not/the/Secret+Access/Key0123456789abcdefgh' : BEDROCK_CREDENTIALS.secretAccessKey,
    options: { aws: { region: BEDROCK_CREDENTIALS.region, accessKeyId: BEDROCK_CREDENTIALS.accessKeyId } },
  });
}

export async function updateProvider(target: AdminTarget, id: string, input: Partial<ProviderInput>): Promise<void> {
  await adminOf(target)('mutation($id: ID!, $i: UpdateProviderInput!) { updateProvider(id: $id, input: $i) { id } }', { id, i: input });
}

export async function createModel(
  target: AdminTarget,
  providerId: string,
  name: string,
  upstreamModel: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const data = await adminOf(target)<{ createModel: { id: string } }>('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', {
    i: { providerId, name, upstreamModel, ...extra },
  });
  return data.createModel.id;
}

export interface CreatedKey {
  /** The plaintext key, shown once. */
  key: string;
  id: string;
}

/** A virtual key; without a name it gets a random one. */
export async function createKey(target: AdminTarget, input: Record<string, unknown> = {}): Promise<CreatedKey> {
  const data = await adminOf(target)<{ createVirtualKey: { key: string; virtualKey: { id: string } } }>(
    'mutation($i: CreateVirtualKeyInput!) { createVirtualKey(input: $i) { key virtualKey { id } } }',
    { i: { name: `key-${randomSuffix()}`, ...input } },
  );
  return { key: data.createVirtualKey.key, id: data.createVirtualKey.virtualKey.id };
}

export async function updateKey(target: AdminTarget, id: string, input: Record<string, unknown>): Promise<void> {
  await adminOf(target)('mutation($id: ID!, $i: UpdateVirtualKeyInput!) { updateVirtualKey(id: $id, input: $i) { id } }', { id, i: input });
}

export async function revokeKey(target: AdminTarget, id: string): Promise<void> {
  await adminOf(target)('mutation($id: ID!) { revokeVirtualKey(id: $id) { id } }', { id });
}

export interface VirtualModelInput {
  name: string;
  strategy?: string;
  targets: Array<{ modelId: string; priority?: number; weight?: number; [field: string]: unknown }>;
  [field: string]: unknown;
}

export async function createVirtualModel(target: AdminTarget, input: VirtualModelInput): Promise<string> {
  const data = await adminOf(target)<{ createVirtualModel: { id: string } }>(
    'mutation($i: CreateVirtualModelInput!) { createVirtualModel(input: $i) { id } }',
    { i: input },
  );
  return data.createVirtualModel.id;
}

export interface PromptRuleInput {
  kind: string;
  [field: string]: unknown;
}

export async function createPromptRule(target: AdminTarget, virtualModelId: string, input: PromptRuleInput): Promise<string> {
  const data = await adminOf(target)<{ createPromptRule: { id: string } }>(
    'mutation($v: ID!, $i: PromptRuleInput!) { createPromptRule(virtualModelId: $v, input: $i) { id } }',
    { v: virtualModelId, i: input },
  );
  return data.createPromptRule.id;
}

export type Role = 'admin' | 'viewer';

export async function createUser(target: AdminTarget, input: { email: string; password: string; role: Role }): Promise<string> {
  const data = await adminOf(target)<{ createUser: { id: string } }>('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: input });
  return data.createUser.id;
}

/** A provider on `baseUrl` with one model on it: the two-step setup most proxy suites start with. */
export async function createProviderWithModel(
  target: AdminTarget,
  provider: ProviderInput,
  model: { name: string; upstreamModel: string; [field: string]: unknown },
): Promise<{ providerId: string; modelId: string }> {
  const providerId = await createProvider(target, provider);
  const { name, upstreamModel, ...extra } = model;
  return { providerId, modelId: await createModel(target, providerId, name, upstreamModel, extra) };
}

/** Creates a user and signs it in: its token, for checks of what that role may do. */
export async function newUserToken(gateway: { url: string; admin: Admin }, input: { email: string; password: string; role: Role }): Promise<string> {
  await createUser(gateway, input);
  return signIn(gateway.url, input.email, input.password);
}

export interface AlertChannelInput {
  name: string;
  kind: string;
  url?: string;
  secret?: string;
  options?: Record<string, unknown>;
  [field: string]: unknown;
}

/** An alert channel (webhook, chat bot, mail); its id. */
export async function createAlertChannel(target: AdminTarget, input: AlertChannelInput): Promise<string> {
  const data = await adminOf(target)<{ createAlertChannel: { id: string } }>('mutation($i: AlertChannelInput!) { createAlertChannel(input: $i) { id } }', {
    i: input,
  });
  return data.createAlertChannel.id;
}

export interface AlertHistoryEntry {
  ruleName: string;
  severity: string;
  deliveries: Array<{ ok: boolean }>;
}

/** The alert history entries of one rule, newest first. */
export async function alertHistoryOf(target: AdminTarget, ruleName: string): Promise<AlertHistoryEntry[]> {
  const data = await adminOf(target)<{ alertHistory: AlertHistoryEntry[] }>('{ alertHistory { ruleName severity deliveries { ok } } }');
  return data.alertHistory.filter((entry) => entry.ruleName === ruleName);
}
