import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigChange } from '../../server/config-service/index.js';
import { ADMIN_EMAIL } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import { DEFAULT_API_KEY, type MockUpstream } from '../support/mock-upstreams/types.js';

/**
 * Every configuration mutation ends in the one after-change step: the snapshot
 * is rebuilt before the mutation answers (so the very next /v1 request sees
 * the change), and the audit hook hears about it exactly once.
 */
describe('configuration service: after every change', () => {
  let gw: TestGateway;
  let upstream: MockUpstream;
  let key: string;
  const heard: ConfigChange[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    upstream = await startOpenAIChatMock();
    gw.services.configService.onChange((change) => void heard.push(change));
    key = (await gw.admin<{ createVirtualKey: { key: string } }>(`mutation { createVirtualKey(input: { name: "caller" }) { key } }`)).createVirtualKey.key;
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  const chat = (model: string) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

  /** Runs a mutation and checks what followed it: one snapshot rebuild or more, and these changes heard, in order. */
  async function changes<T = unknown>(query: string, variables: Record<string, unknown> = {}): Promise<{ data: T; heard: ConfigChange[] }> {
    const version = gw.services.snapshot.current.version;
    const before = heard.length;
    const data = await gw.admin<T>(query, variables);
    expect(gw.services.snapshot.current.version, `snapshot rebuilt before the answer of: ${query}`).toBeGreaterThan(version);
    return { data, heard: heard.slice(before) };
  }
  const user = { type: 'user', email: ADMIN_EMAIL };
  const one = (entity: string, action: string, id: string | null) => [expect.objectContaining({ actor: expect.objectContaining(user), entity, action, id })];

  it('serves each change on the very next request, and audits each once', async () => {
    const provider = await changes<{ createProvider: { id: string } }>(
      `mutation($u: String!, $k: String!) { createProvider(input: { name: "up", type: "openai", baseUrl: $u, apiKey: $k }) { id } }`,
      {
        u: upstream.url,
        k: DEFAULT_API_KEY,
      },
    );
    const providerId = provider.data.createProvider.id;
    expect(provider.heard).toEqual(one('provider', 'create', providerId));

    const model = await changes<{ createModel: { id: string; providerId: string } }>(
      `mutation($p: ID!) { createModel(input: { providerId: $p, name: "m1", upstreamModel: "gpt-4o" }) { id providerId } }`,
      {
        p: providerId,
      },
    );
    const modelId = model.data.createModel.id;
    expect(model.data.createModel.providerId).toBe(providerId);
    expect(model.heard).toEqual(one('model', 'create', modelId));
    expect((await chat('m1')).status).toBe(200);

    const disabled = await changes(`mutation($id: ID!) { updateModel(id: $id, input: { enabled: false }) { id } }`, { id: modelId });
    expect(disabled.heard).toEqual(one('model', 'update', modelId));
    expect((await chat('m1')).status).toBeGreaterThanOrEqual(400);
    await changes(`mutation($id: ID!) { updateModel(id: $id, input: { enabled: true }) { id } }`, { id: modelId });

    const provOff = await changes(`mutation($id: ID!) { updateProvider(id: $id, input: { enabled: false }) { id } }`, { id: providerId });
    expect(provOff.heard).toEqual(one('provider', 'update', providerId));
    expect((await chat('m1')).status).toBeGreaterThanOrEqual(400);
    await changes(`mutation($id: ID!) { updateProvider(id: $id, input: { enabled: true }) { id } }`, { id: providerId });
    expect((await chat('m1')).status).toBe(200);

    const route = await changes<{ createVirtualModel: { id: string; targets: Array<{ modelId: string }> } }>(
      `mutation($m: ID!) { createVirtualModel(input: { name: "fast", strategy: FAILOVER, targets: [{ modelId: $m }] }) { id targets { modelId } } }`,
      { m: modelId },
    );
    const routeId = route.data.createVirtualModel.id;
    expect(route.data.createVirtualModel.targets[0].modelId).toBe(modelId);
    expect(route.heard).toEqual(one('virtualModel', 'create', routeId));
    expect((await chat('fast')).status).toBe(200);

    const rename = await changes(`mutation($id: ID!) { updateVirtualModel(id: $id, input: { name: "faster" }) { id } }`, { id: routeId });
    expect(rename.heard).toEqual(one('virtualModel', 'update', routeId));
    expect((await chat('faster')).status).toBe(200);
    expect((await chat('fast')).status).toBe(404);

    const rule = await changes<{ createPromptRule: { id: string; virtualModelId: string } }>(
      `mutation($v: ID!) { createPromptRule(virtualModelId: $v, input: { kind: APPEND, text: "Be brief." }) { id virtualModelId } }`,
      {
        v: routeId,
      },
    );
    const ruleId = rule.data.createPromptRule.id;
    expect(rule.data.createPromptRule.virtualModelId).toBe(routeId);
    expect(rule.heard).toEqual(one('promptRule', 'create', ruleId));
    expect(gw.services.snapshot.current.virtualModelsByName.get('faster')?.promptRules).toHaveLength(1);
    const second = await changes<{ createPromptRule: { id: string } }>(
      `mutation($v: ID!) { createPromptRule(virtualModelId: $v, input: { kind: PREPEND, text: "Hello." }) { id } }`,
      { v: routeId },
    );
    const secondId = second.data.createPromptRule.id;
    expect((await changes(`mutation($id: ID!) { updatePromptRule(id: $id, input: { text: "Be very brief." }) { id } }`, { id: ruleId })).heard).toEqual(
      one('promptRule', 'update', ruleId),
    );
    expect(
      (await changes(`mutation($v: ID!, $r: [ID!]!) { reorderPromptRules(virtualModelId: $v, ruleIds: $r) { id } }`, { v: routeId, r: [secondId, ruleId] }))
        .heard,
    ).toEqual(one('promptRule', 'reorder', routeId));
    expect((await changes(`mutation($id: ID!) { deletePromptRule(id: $id) }`, { id: secondId })).heard).toEqual(one('promptRule', 'delete', secondId));
    expect(gw.services.snapshot.current.virtualModelsByName.get('faster')?.promptRules).toHaveLength(1);

    const created = await changes<{ createVirtualKey: { key: string; virtualKey: { id: string } } }>(
      `mutation { createVirtualKey(input: { name: "app" }) { key virtualKey { id } } }`,
    );
    const keyId = created.data.createVirtualKey.virtualKey.id;
    const appKey = created.data.createVirtualKey.key;
    expect(created.heard).toEqual(one('virtualKey', 'create', keyId));
    const asApp = () => fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${appKey}` } });
    expect((await asApp()).status).toBe(200);
    expect((await changes(`mutation($id: ID!) { updateVirtualKey(id: $id, input: { rpmLimit: 100 }) { id } }`, { id: keyId })).heard).toEqual(
      one('virtualKey', 'update', keyId),
    );
    expect((await changes(`mutation($id: ID!) { revokeVirtualKey(id: $id) { id } }`, { id: keyId })).heard).toEqual(one('virtualKey', 'revoke', keyId));
    expect((await asApp()).status).toBe(401);
    expect((await changes(`mutation($id: ID!) { deleteVirtualKey(id: $id) }`, { id: keyId })).heard).toEqual(one('virtualKey', 'delete', keyId));

    const playground = await changes<{ playgroundKey: { keyId: string } }>(`mutation { playgroundKey { keyId } }`);
    expect(playground.heard).toEqual(one('virtualKey', 'create', playground.data.playgroundKey.keyId));

    const target = await changes<{ createHealthTarget: { id: string } }>(`mutation { createHealthTarget(input: { modelName: "m1" }) { id } }`);
    const targetId = target.data.createHealthTarget.id;
    expect(target.heard).toEqual(one('healthTarget', 'create', targetId));
    expect((await changes(`mutation($id: ID!) { updateHealthTarget(id: $id, input: { intervalSeconds: 60 }) { id } }`, { id: targetId })).heard).toEqual(
      one('healthTarget', 'update', targetId),
    );
    expect((await changes(`mutation($id: ID!) { deleteHealthTarget(id: $id) }`, { id: targetId })).heard).toEqual(one('healthTarget', 'delete', targetId));

    const settings = await changes(`mutation { updateSettings(input: { monitoringEnabled: true }) { monitoringEnabled } }`);
    expect(settings.heard).toEqual([expect.objectContaining({ actor: expect.objectContaining(user), entity: 'settings', action: 'update', id: null })]);
    await changes(`mutation { updateSettings(input: { monitoringEnabled: false }) { monitoringEnabled } }`);

    expect((await changes(`mutation($id: ID!) { deleteVirtualModel(id: $id) }`, { id: routeId })).heard).toEqual(one('virtualModel', 'delete', routeId));
    expect((await chat('faster')).status).toBe(404);
    expect((await changes(`mutation($id: ID!) { deleteModel(id: $id) }`, { id: modelId })).heard).toEqual(one('model', 'delete', modelId));
    expect((await chat('m1')).status).toBe(404);
    expect((await changes(`mutation($id: ID!) { deleteProvider(id: $id) }`, { id: providerId })).heard).toEqual(one('provider', 'delete', providerId));
  });

  it('a configuration file applied through the API ends in the same step, one audited change per object', async () => {
    process.env.AFTER_CHANGE_UPSTREAM_KEY = DEFAULT_API_KEY;
    const yaml = [
      'version: 1',
      'providers:',
      '  - name: from-file',
      '    type: openai',
      `    baseUrl: ${upstream.url}`,
      '    apiKey: ${env:AFTER_CHANGE_UPSTREAM_KEY}',
      'models:',
      '  - name: file-model',
      '    provider: from-file',
      '    upstreamModel: gpt-4o',
    ].join('\n');
    const applied = await changes(`mutation($y: String!) { applyConfig(yaml: $y) { applied } }`, { y: yaml });
    expect(applied.heard).toEqual([
      expect.objectContaining({ actor: expect.objectContaining(user), entity: 'provider', action: 'create', name: 'from-file' }),
      expect.objectContaining({ actor: expect.objectContaining(user), entity: 'model', action: 'create', name: 'file-model' }),
    ]);
    expect((await chat('file-model')).status).toBe(200);
  });

  it('a refused change neither rebuilds nor audits, and a failing listener does not fail the change', async () => {
    const version = gw.services.snapshot.current.version;
    const before = heard.length;
    const refused = await gw.gql(`mutation { createModel(input: { providerId: "no-such", name: "x", upstreamModel: "y" }) { id } }`, {}, await gw.adminToken());
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.extensions?.field).toBe('providerId');
    expect(gw.services.snapshot.current.version).toBe(version);
    expect(heard.length).toBe(before);

    const stop = gw.services.configService.onChange(() => {
      throw new Error('audit store down');
    });
    try {
      const created = await changes(`mutation { createVirtualKey(input: { name: "despite-listener" }) { virtualKey { id } } }`);
      expect(created.heard).toHaveLength(1);
    } finally {
      stop();
    }
  });
});
