/**
 * A Bedrock provider with no API key signs with the standard AWS credential
 * chain: here a named profile in a shared credentials file (AWS_PROFILE,
 * AWS_SHARED_CREDENTIALS_FILE), checked by the strict mock's SigV4 verification
 * with that profile's secret; with no credentials anywhere the answer is a 502
 * naming the chain.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { BEDROCK_CREDENTIALS, startBedrockMock, type BedrockMock } from '../support/mock-upstreams/bedrock.js';
import { createKey, createModel, createProvider, openaiClient } from '../support/proxy-fixture.js';

const PROFILE = { accessKeyId: 'AKIAPROFILECHAIN0001', secretAccessKey: 'profile/Secret+From/The+Credentials+File01' };
const saved = { ...process.env };

describe('Bedrock with the standard AWS credential chain', () => {
  let gw: TestGateway;
  let mock: BedrockMock;
  let key: string;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aws-chain-'));
    const credentials = path.join(dir, 'credentials');
    writeFileSync(
      credentials,
      `[default]\naws_access_key_id = AKIANOTTHISONE000000\naws_secret_access_key = wrong\n\n[bedrock-ops]\naws_access_key_id = ${PROFILE.accessKeyId}\naws_secret_access_key = ${PROFILE.secretAccessKey}\n`,
    );
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[name];
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_CONFIG_FILE: path.join(dir, 'config'),
      AWS_PROFILE: 'bedrock-ops',
      // Off this machine's metadata endpoint: the chain must not wait on it.
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    gw = await startTestGateway();
    mock = await startBedrockMock({ accessKeyId: PROFILE.accessKeyId, secretAccessKey: PROFILE.secretAccessKey });
    const providerId = await createProvider(gw, {
      name: 'bedrock-chain',
      type: 'bedrock',
      baseUrl: mock.url,
      apiKey: undefined,
      options: { aws: { region: BEDROCK_CREDENTIALS.region } },
    });
    await createModel(gw, providerId, 'chain-model', 'amazon.nova-lite-v1:0');
    key = (await createKey(gw)).key;
  });

  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
    process.env = saved;
  });

  test("signs with the profile's keys from the shared credentials file", async () => {
    const answer = await openaiClient(gw, key).chat.completions.create({ model: 'chain-model', messages: [{ role: 'user', content: 'hello' }] });
    expect(answer.choices[0].message.content).toBeTruthy();
    const sent = mock.requests.at(-1)!;
    expect(String(sent.headers.authorization)).toContain(`Credential=${PROFILE.accessKeyId}/`);
  });
});
