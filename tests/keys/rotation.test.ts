import { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postOperation } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addUpstream, anthropicClient, createKey, openaiClient, postRaw, revokeKey } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';

const ROTATE = `mutation($id: ID!, $grace: Int!) {
  rotateVirtualKey(id: $id, gracePeriodSeconds: $grace) { key virtualKey { id keyPrefix rotatedAt previousKeyExpiresAt } }
}`;

interface Rotated {
  rotateVirtualKey: { key: string; virtualKey: { id: string; keyPrefix: string; rotatedAt: string; previousKeyExpiresAt: string | null } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Key rotation against a running gateway: the real OpenAI and Anthropic clients send both keys.
describe('virtual key rotation', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let model: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    ({ mock, model } = await addUpstream(gw, 'openai-chat'));
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  const chat = (key: string) => openaiClient(gw, key).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

  test('the old key works until the deadline and is refused after, in the caller\u2019s format; the new one keeps working', async () => {
    const old = await createKey(gw, { name: 'rotating' });
    expect((await chat(old.key)).choices[0].message.content).toBeTruthy();

    const grace = 3;
    const before = Date.now();
    const rotated = await gw.admin<Rotated>(ROTATE, { id: old.id, grace });
    const fresh = rotated.rotateVirtualKey.key;
    expect(fresh).not.toBe(old.key);
    expect(fresh.startsWith(rotated.rotateVirtualKey.virtualKey.keyPrefix)).toBe(true);
    const deadline = Date.parse(rotated.rotateVirtualKey.virtualKey.previousKeyExpiresAt!);
    expect(deadline).toBeGreaterThanOrEqual(before + grace * 1000);
    expect(deadline).toBeLessThan(before + grace * 1000 + 5_000);

    // Within the grace period: both keys work, and are the same key (one id in the logs).
    expect((await chat(old.key)).choices[0].message.content).toBeTruthy();
    expect((await chat(fresh)).choices[0].message.content).toBeTruthy();

    // The plaintext is not readable back.
    const listed = await gw.admin<{ virtualKeys: { nodes: Array<Record<string, unknown>> } }>(
      '{ virtualKeys { nodes { id keyPrefix previousKeyExpiresAt } } }',
    );
    expect(JSON.stringify(listed)).not.toContain(fresh);
    expect(listed.virtualKeys.nodes.find((k) => k.id === old.id)!.previousKeyExpiresAt).toBe(rotated.rotateVirtualKey.virtualKey.previousKeyExpiresAt);

    await sleep(Math.max(0, deadline - Date.now()) + 200);

    // After the deadline: the OpenAI client gets a 401 in OpenAI's format.
    const refused = await chat(old.key).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).status).toBe(401);
    expect((refused as APIError).message).toMatch(/rotated/);
    // Anthropic's client too, in Anthropic's format.
    const anthropic = await postRaw(gw, '/v1/messages', { model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': old.key });
    expect(anthropic.status).toBe(401);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const viaSdk = await anthropicClient(gw, old.key)
      .messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => null,
        (e: { status?: number }) => e.status,
      );
    expect(viaSdk).toBe(401);
    // The new key is unaffected.
    expect((await chat(fresh)).choices[0].message.content).toBeTruthy();
  });

  test('grace period 0 refuses the old key at once; a second rotation retires the token still in its grace period', async () => {
    const k = await createKey(gw);
    const first = (await gw.admin<Rotated>(ROTATE, { id: k.id, grace: 0 })).rotateVirtualKey;
    expect(first.virtualKey.previousKeyExpiresAt).toBeNull();
    expect(
      (await postRaw(gw, '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x' }] }, { authorization: `Bearer ${k.key}` })).status,
    ).toBe(401);

    const second = (await gw.admin<Rotated>(ROTATE, { id: k.id, grace: 600 })).rotateVirtualKey;
    const third = (await gw.admin<Rotated>(ROTATE, { id: k.id, grace: 600 })).rotateVirtualKey;
    const status = async (key: string) =>
      (await postRaw(gw, '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x' }] }, { authorization: `Bearer ${key}` })).status;
    expect(await status(first.key)).toBe(401);
    expect(await status(second.key)).toBe(200);
    expect(await status(third.key)).toBe(200);
  });

  test('revoking a rotated key refuses both tokens; bad input is refused with the field named', async () => {
    const k = await createKey(gw);
    const rotated = (await gw.admin<Rotated>(ROTATE, { id: k.id, grace: 600 })).rotateVirtualKey;
    await revokeKey(gw, k.id);
    for (const key of [k.key, rotated.key]) {
      const res = await postRaw(gw, '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x' }] }, { authorization: `Bearer ${key}` });
      expect(res.status).toBe(401);
      expect(res.json.error.message).toMatch(/revoked/);
    }
    const token = await gw.adminToken();
    const revokedAgain = await postOperation<Rotated>(gw.url, ROTATE, { id: k.id, grace: 10 }, token);
    expect(revokedAgain.errors?.[0]?.message).toMatch(/revoked key cannot be rotated/);
    const other = await createKey(gw);
    const negative = await postOperation(gw.url, ROTATE, { id: other.id, grace: -1 }, token);
    expect(negative.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(negative.errors?.[0]?.message).toMatch(/gracePeriodSeconds/);
    const missing = await postOperation(gw.url, ROTATE, { id: 'nope', grace: 10 }, token);
    expect(missing.errors?.[0]?.message).toMatch(/not found/i);
  });

  test('a viewer cannot rotate', async () => {
    const k = await createKey(gw);
    await gw.admin('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email: 'viewer-rot@example.com', password: 'viewer-password-1', role: 'viewer' },
    });
    const login = await postOperation<{ login: { token: string } }>(
      gw.url,
      'mutation { login(email: "viewer-rot@example.com", password: "viewer-password-1") { token } }',
    );
    const res = await postOperation<Rotated>(gw.url, ROTATE, { id: k.id, grace: 10 }, login.data!.login.token);
    expect(res.errors?.[0]).toBeTruthy();
    expect(res.data?.rotateVirtualKey ?? null).toBeNull();
  });
});
