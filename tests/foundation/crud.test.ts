import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf } from '../support/admin.js';
import { ADMIN_EMAIL, startTestGateway, type TestGateway } from '../support/gateway.js';
import { onlyError, tableCount as countRows, unique } from './helpers.js';

const CREATE_PROVIDER = 'mutation($i: CreateProviderInput!) { createProvider(input: $i) { id name } }';
const CREATE_MODEL =
  'mutation($i: CreateModelInput!) { createModel(input: $i) { id name upstreamModel providerId inputPrice outputPrice contextWindow supportsTools enabled provider { id } } }';
const UPDATE_MODEL = 'mutation($id: ID!, $i: UpdateModelInput!) { updateModel(id: $id, input: $i) { id name upstreamModel inputPrice enabled } }';
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';

describe('admin CRUD', () => {
  let gateway: TestGateway;
  let token: string;

  const createProvider = async (name = unique('provider')) =>
    (
      await gateway.admin<{ createProvider: { id: string; name: string } }>(CREATE_PROVIDER, {
        i: { name, type: 'openai', baseUrl: 'https://api.example.test/v1' },
      })
    ).createProvider;
  const tableCount = (table: string) => countRows(gateway, table);

  beforeAll(async () => {
    gateway = await startTestGateway();
    token = await gateway.adminToken();
  });
  afterAll(() => gateway?.stop());

  describe('models', () => {
    let provider: { id: string; name: string };
    let modelId: string;
    const name = unique('deepseek-chat');

    beforeAll(async () => {
      provider = await createProvider();
    });

    it('creates, reads, lists, updates and deletes a model', async () => {
      const { createModel } = await gateway.admin<{ createModel: { id: string } }>(CREATE_MODEL, {
        i: {
          providerId: provider.id,
          name,
          upstreamModel: 'deepseek-chat',
          inputPrice: 0.00000027,
          outputPrice: 0.0000011,
          contextWindow: 64000,
          supportsTools: true,
        },
      });
      modelId = createModel.id;
      expect(createModel).toMatchObject({
        name,
        upstreamModel: 'deepseek-chat',
        providerId: provider.id,
        inputPrice: 0.00000027,
        outputPrice: 0.0000011,
        contextWindow: 64000,
        supportsTools: true,
        enabled: true,
        provider: { id: provider.id },
      });

      const read = await gateway.admin<{ model: unknown }>('query($id: ID!) { model(id: $id) { id name provider { name } } }', { id: modelId });
      expect(read.model).toEqual({ id: modelId, name, provider: { name: provider.name } });
      const byProvider = await gateway.admin<{ models: { nodes: unknown[] } }>('query($p: ID) { models(providerId: $p) { nodes { id } } }', { p: provider.id });
      expect(byProvider.models.nodes).toEqual([{ id: modelId }]);
      const bySearch = await gateway.admin<{ models: { nodes: unknown[] } }>('query($s: String) { models(search: $s) { nodes { id } } }', {
        s: name.slice(-8),
      });
      expect(bySearch.models.nodes).toEqual([{ id: modelId }]);
      expect(gateway.services.snapshot.current.modelsByName.get(name)?.upstreamModel).toBe('deepseek-chat');

      const { updateModel } = await gateway.admin<{ updateModel: unknown }>(UPDATE_MODEL, {
        id: modelId,
        i: { upstreamModel: 'deepseek-v3', inputPrice: 0.000001, enabled: false },
      });
      expect(updateModel).toEqual({ id: modelId, name, upstreamModel: 'deepseek-v3', inputPrice: 0.000001, enabled: false });
      expect(gateway.services.snapshot.current.modelsByName.get(name)?.upstreamModel).toBe('deepseek-v3');

      expect((await gateway.admin<{ deleteModel: boolean }>('mutation($id: ID!) { deleteModel(id: $id) }', { id: modelId })).deleteModel).toBe(true);
      expect((await gateway.admin<{ model: { id: string } | null }>('query($id: ID!) { model(id: $id) { id } }', { id: modelId })).model).toBeNull();
      expect(gateway.services.snapshot.current.modelsByName.has(name)).toBe(false);
      const again = await gateway.gql('mutation($id: ID!) { deleteModel(id: $id) }', { id: modelId }, token);
      expect(onlyError(again).extensions?.code).toBe('NOT_FOUND');
      expect(onlyError(again).message).toBe('Model not found');
    });

    const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
      ['an unknown providerId', { providerId: 'no-such-provider' }, /providerId: no such provider/],
      ['a negative price', { inputPrice: -0.001 }, /inputPrice: must not be negative/],
      ['a zero context window', { contextWindow: 0 }, /contextWindow: must be a positive integer/],
      ['an empty name', { name: '' }, /name: is required/],
      ['a name with spaces', { name: 'my model' }, /name: may contain/],
      ['an unknown mode', { mode: 'telepathy' }, /mode/],
    ];
    for (const [what, override, message] of invalid) {
      it(`refuses ${what} with a clear message`, async () => {
        const count = await tableCount('Model');
        const input = { providerId: provider.id, name: unique('m'), upstreamModel: 'x', ...override };
        const result = await gateway.gql(CREATE_MODEL, { i: input }, token);
        const error = onlyError(result);
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(message);
        expect(await tableCount('Model')).toBe(count);
      });
    }

    it('refuses a duplicate model name', async () => {
      const dup = unique('dup');
      await gateway.admin(CREATE_MODEL, { i: { providerId: provider.id, name: dup, upstreamModel: 'x' } });
      const result = await gateway.gql(CREATE_MODEL, { i: { providerId: provider.id, name: dup, upstreamModel: 'y' } }, token);
      const error = onlyError(result);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toBe(`A model named "${dup}" already exists`);
    });

    it('refuses invalid updates and updates of unknown models', async () => {
      const { createModel } = await gateway.admin<{ createModel: { id: string } }>(CREATE_MODEL, {
        i: { providerId: provider.id, name: unique('upd'), upstreamModel: 'x' },
      });
      const negative = await gateway.gql(UPDATE_MODEL, { id: createModel.id, i: { outputPrice: -1 } }, token);
      expect(onlyError(negative).message).toMatch(/outputPrice: must not be negative/);
      const badProvider = await gateway.gql(UPDATE_MODEL, { id: createModel.id, i: { providerId: 'nope' } }, token);
      expect(onlyError(badProvider).message).toMatch(/providerId: no such provider/);
      const unknown = await gateway.gql(UPDATE_MODEL, { id: 'no-such-model', i: { upstreamModel: 'z' } }, token);
      expect(onlyError(unknown).extensions?.code).toBe('NOT_FOUND');
    });
  });

  describe('providers', () => {
    it('deleting a provider deletes its models', async () => {
      const doomed = await createProvider();
      const keep = await createProvider();
      const names = [unique('a'), unique('b')];
      for (const name of names) await gateway.admin(CREATE_MODEL, { i: { providerId: doomed.id, name, upstreamModel: 'x' } });
      const kept = (
        await gateway.admin<{ createModel: { id: string } }>(CREATE_MODEL, { i: { providerId: keep.id, name: unique('kept'), upstreamModel: 'x' } })
      ).createModel;
      const { provider } = await gateway.admin<{ provider: { modelCount: number } }>('query($id: ID!) { provider(id: $id) { modelCount models { name } } }', {
        id: doomed.id,
      });
      expect(provider.modelCount).toBe(2);

      expect((await gateway.admin<{ deleteProvider: boolean }>('mutation($id: ID!) { deleteProvider(id: $id) }', { id: doomed.id })).deleteProvider).toBe(true);
      expect((await gateway.admin<{ provider: { id: string } | null }>('query($id: ID!) { provider(id: $id) { id } }', { id: doomed.id })).provider).toBeNull();
      expect(
        (await gateway.admin<{ models: { nodes: unknown[] } }>('query($p: ID) { models(providerId: $p) { nodes { id } } }', { p: doomed.id })).models.nodes,
      ).toEqual([]);
      expect(await gateway.services.db.model.count({ where: { providerId: doomed.id } })).toBe(0);
      for (const name of names) expect(gateway.services.snapshot.current.modelsByName.has(name)).toBe(false);
      expect(gateway.services.snapshot.current.providersById.has(doomed.id)).toBe(false);
      // The other provider's model is untouched.
      expect((await gateway.admin<{ model: { id: string } | null }>('query($id: ID!) { model(id: $id) { id } }', { id: kept.id })).model).toEqual({
        id: kept.id,
      });

      const again = await gateway.gql('mutation($id: ID!) { deleteProvider(id: $id) }', { id: doomed.id }, token);
      expect(onlyError(again).extensions?.code).toBe('NOT_FOUND');
    });

    it('validates provider input', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ name: '', type: 'openai', baseUrl: 'https://x.test' }, /name: is required/],
        [{ name: unique('t'), type: 'no-such-type', baseUrl: 'https://x.test' }, /type: unknown provider type/],
        [{ name: unique('u'), type: 'openai', baseUrl: 'ftp://x.test' }, /baseUrl: must use http or https/],
        [{ name: unique('h'), type: 'openai', baseUrl: 'https://x.test', headers: { 'bad header': 'x' } }, /headers/],
      ];
      for (const [input, message] of cases) {
        const result = await gateway.gql(CREATE_PROVIDER, { i: input }, token);
        expect(onlyError(result).extensions?.code).toBe('BAD_USER_INPUT');
        expect(onlyError(result).message).toMatch(message);
      }
      const { name } = await createProvider();
      const duplicate = await gateway.gql(CREATE_PROVIDER, { i: { name, type: 'openai', baseUrl: 'https://x.test' } }, token);
      expect(onlyError(duplicate).message).toBe(`A provider named "${name}" already exists`);
    });

    it('fills the base URL from the preset when omitted', async () => {
      const { createProvider } = await gateway.admin<{ createProvider: { baseUrl: string } }>(
        'mutation($i: CreateProviderInput!) { createProvider(input: $i) { baseUrl } }',
        {
          i: { name: unique('deepseek'), type: 'deepseek' },
        },
      );
      expect(createProvider.baseUrl).toMatch(/^https:\/\/.*deepseek/);
    });
  });

  describe('users', () => {
    const email = `${unique('ops')}@example.com`;
    let userId: string;

    it('creates, lists, updates and deletes a user', async () => {
      const { createUser } = await gateway.admin<{ createUser: { id: string } }>('mutation($i: CreateUserInput!) { createUser(input: $i) { id email role } }', {
        i: { email: `  ${email.toUpperCase()} `, password: 'first-password', role: 'viewer' },
      });
      userId = createUser.id;
      expect(createUser).toEqual({ id: userId, email, role: 'viewer' });
      expect((await gateway.admin<{ users: { email: string }[] }>('{ users { email } }')).users.map((u: { email: string }) => u.email)).toEqual([
        ADMIN_EMAIL,
        email,
      ]);

      const { updateUser } = await gateway.admin<{ updateUser: { role: string } }>(
        'mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { role } }',
        {
          id: userId,
          i: { role: 'admin', password: 'second-password' },
        },
      );
      expect(updateUser.role).toBe('admin');
      const oldLogin = await gateway.gql(LOGIN, { e: email, p: 'first-password' });
      expect(onlyError(oldLogin).extensions?.code).toBe('UNAUTHENTICATED');
      const newLogin = await gateway.gql<{ login: { token: string } }>(LOGIN, { e: email, p: 'second-password' });
      expect(newLogin.errors).toBeUndefined();
      const me = await gateway.gql<{ me: { role: string } }>('{ me { role } }', undefined, dataOf(newLogin).login.token);
      expect(dataOf(me).me.role).toBe('admin');

      expect((await gateway.admin<{ deleteUser: boolean }>('mutation($id: ID!) { deleteUser(id: $id) }', { id: userId })).deleteUser).toBe(true);
      expect((await gateway.admin<{ users: { email: string }[] }>('{ users { email } }')).users.map((u: { email: string }) => u.email)).toEqual([ADMIN_EMAIL]);
      // A deleted user's token no longer reaches their account.
      const after = await gateway.gql('{ me { id } }', undefined, dataOf(newLogin).login.token);
      expect(onlyError(after).extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('validates users and refuses to delete the caller', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ email: 'not-an-email', password: 'long-enough', role: 'viewer' }, /email: must be a valid email address/],
        [{ email: `${unique('s')}@example.com`, password: 'short', role: 'viewer' }, /password: must be at least 8 characters/],
        [{ email: ADMIN_EMAIL, password: 'long-enough', role: 'viewer' }, /already exists/],
      ];
      for (const [input, message] of cases) {
        const result = await gateway.gql('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: input }, token);
        expect(onlyError(result).extensions?.code).toBe('BAD_USER_INPUT');
        expect(onlyError(result).message).toMatch(message);
      }
      const adminId = (await gateway.admin<{ me: { id: string } }>('{ me { id } }')).me.id;
      const self = await gateway.gql('mutation($id: ID!) { deleteUser(id: $id) }', { id: adminId }, token);
      expect(onlyError(self).message).toBe('You cannot delete your own account');
      expect(await tableCount('User')).toBe(1);
    });
  });

  describe('settings', () => {
    it('reads defaults, updates, and persists', async () => {
      expect((await gateway.admin<{ settings: unknown }>('{ settings { monitoringEnabled } }')).settings).toEqual({ monitoringEnabled: false });
      const { updateSettings } = await gateway.admin<{ updateSettings: unknown }>(
        'mutation { updateSettings(input: { monitoringEnabled: true }) { monitoringEnabled } }',
      );
      expect(updateSettings).toEqual({ monitoringEnabled: true });
      expect((await gateway.admin<{ settings: unknown }>('{ settings { monitoringEnabled } }')).settings).toEqual({ monitoringEnabled: true });
      const row = await gateway.services.db.setting.findUnique({ where: { key: 'monitoringEnabled' } });
      expect(row?.value).toBe(true);
      // An empty update changes nothing.
      const { updateSettings: unchanged } = await gateway.admin<{ updateSettings: unknown }>('mutation { updateSettings(input: {}) { monitoringEnabled } }');
      expect(unchanged).toEqual({ monitoringEnabled: true });
      await gateway.admin('mutation { updateSettings(input: { monitoringEnabled: false }) { monitoringEnabled } }');
      expect((await gateway.admin<{ settings: unknown }>('{ settings { monitoringEnabled } }')).settings).toEqual({ monitoringEnabled: false });
    });
  });

  describe('overview and paging', () => {
    it('counts match the database (revoked keys excluded)', async () => {
      const live = (
        await gateway.admin<{ createVirtualKey: { virtualKey: { id: string } } }>(
          'mutation { createVirtualKey(input: { name: "live" }) { virtualKey { id } } }',
        )
      ).createVirtualKey.virtualKey.id;
      const gone = (
        await gateway.admin<{ createVirtualKey: { virtualKey: { id: string } } }>(
          'mutation { createVirtualKey(input: { name: "gone" }) { virtualKey { id } } }',
        )
      ).createVirtualKey.virtualKey.id;
      await gateway.admin('mutation($id: ID!) { revokeVirtualKey(id: $id) { id } }', { id: gone });
      const { overview } = await gateway.admin<{ overview: { providers: number; models: number } }>(
        '{ overview { providers models virtualKeys virtualModels users } }',
      );
      expect(overview).toEqual({
        providers: await tableCount('Provider'),
        models: await tableCount('Model'),
        virtualKeys: (await tableCount('VirtualKey')) - 1,
        virtualModels: await tableCount('VirtualModel'),
        users: 1,
      });
      expect(overview.providers).toBeGreaterThan(0);
      expect(overview.models).toBeGreaterThan(0);
      expect(live).toBeTruthy();
    });

    it('pages connections with first and after (cursors), clamping the page size; other lists keep skip and take', async () => {
      const provider = await createProvider();
      const prefix = unique('page');
      for (let i = 0; i < 5; i++) {
        await gateway.admin(CREATE_MODEL, { i: { providerId: provider.id, name: `${prefix}-${i}`, upstreamModel: 'x' } });
      }
      const PAGE =
        'query($p: ID, $f: Int, $a: String) { models(providerId: $p, first: $f, after: $a) { nodes { name } edges { cursor } pageInfo { hasNextPage endCursor } } }';
      type Page = { nodes: { name: string }[]; edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      const page = async (first: number | null, after: string | null = null) =>
        (await gateway.admin<{ models: Page }>(PAGE, { p: provider.id, f: first, a: after })).models;
      const all = [0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`);
      const names = (c: { nodes: { name: string }[] }) => c.nodes.map((m) => m.name);
      expect(names(await page(null))).toEqual(all);
      const first = await page(2);
      expect(names(first)).toEqual(all.slice(0, 2));
      expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1].cursor });
      const second = await page(2, first.pageInfo.endCursor);
      expect(names(second)).toEqual(all.slice(2, 4));
      const last = await page(2, second.pageInfo.endCursor);
      expect(names(last)).toEqual(all.slice(4));
      expect(last.pageInfo.hasNextPage).toBe(false);
      expect(names(await page(1_000_000))).toEqual(all);
      const negative = await gateway.gql(PAGE, { p: provider.id, f: -1 }, token);
      expect(negative.errors?.[0]?.message).toMatch(/first/);

      const keys = await gateway.admin<{ providers: unknown[]; users: unknown[]; virtualKeys: { nodes: unknown[] } }>(
        '{ providers(take: 1) { id } users(skip: 1) { id } virtualKeys(includeRevoked: true, first: 1) { nodes { id } pageInfo { hasNextPage } } }',
      );
      expect(keys.providers).toHaveLength(1);
      expect(keys.users).toHaveLength(0);
      expect(keys.virtualKeys.nodes).toHaveLength(1);
    });
  });
});
