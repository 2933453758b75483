/**
 * The admin UI creates the cloud providers: the provider form shows each type's
 * credential fields (Bedrock: region, access key id, secret access key; Vertex AI:
 * project, location, service-account key file; Azure OpenAI: Entra ID tenant, client id,
 * authority host, client secret), saves their non-secret parts as options, and the
 * saved providers answer requests through the strict mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, collectPageErrors, launchChromium, signedInContext } from '../support/browser.js';
import { BEDROCK_CREDENTIALS, startBedrockMock, type BedrockMock } from '../support/mock-upstreams/bedrock.js';
import { startVertexMock, type VertexMock } from '../support/mock-upstreams/vertex.js';
import { ENTRA, startEntraMock, type EntraMock } from '../support/mock-upstreams/entra.js';
import { createKey, createModel, openaiClient } from '../support/proxy-fixture.js';
import { startBedrockAnthropicMock, type BedrockAnthropicMock } from './anthropic-invoke-mock.js';

interface ProviderRow {
  id: string;
  name: string;
  type: string;
  hasApiKey: boolean;
  options: Record<string, unknown> | null;
}

describe('admin UI: cloud provider credentials', () => {
  let gateway: TestGateway;
  let bedrock: BedrockMock;
  let invoke: BedrockAnthropicMock;
  let vertex: VertexMock;
  let entra: EntraMock;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let key: string;

  const providers = async () => (await gateway.admin<{ providers: ProviderRow[] }>('{ providers { id name type hasApiKey options } }')).providers;

  /** Opens the new-provider drawer with a type picked and the base URL pointed at a mock. */
  async function newProvider(type: string, name: string, baseUrl: string) {
    await page.goto(`${gateway.url}/providers`);
    await page.getByRole('button', { name: 'New provider' }).first().click();
    const drawer = page.getByRole('dialog', { name: 'New provider' });
    await drawer.getByLabel('Type').selectOption(type);
    await drawer.getByLabel('Name').fill(name);
    await drawer.getByLabel('Base URL').fill(baseUrl);
    return drawer;
  }

  async function create(name: string): Promise<ProviderRow> {
    await page.getByRole('button', { name: 'Create provider' }).click();
    await expect.poll(async () => (await providers()).some((p) => p.name === name)).toBe(true);
    return (await providers()).find((p) => p.name === name)!;
  }

  async function ask(providerId: string, model: string, upstreamModel: string): Promise<string> {
    await createModel(gateway, providerId, model, upstreamModel);
    const done = await openaiClient(gateway, key).chat.completions.create({ model, messages: [{ role: 'user', content: 'from the form' }] });
    return done.choices[0].message.content ?? '';
  }

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    bedrock = await startBedrockMock();
    invoke = await startBedrockAnthropicMock();
    vertex = await startVertexMock();
    entra = await startEntraMock();
    key = (await createKey(gateway)).key;
    browser = await launchChromium();
    context = await signedInContext(browser, await gateway.adminToken(), { viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await Promise.all([bedrock?.close(), invoke?.close(), vertex?.close(), entra?.close()]);
  });

  it('Amazon Bedrock: region and access key id as options, the secret access key sealed', async () => {
    const drawer = await newProvider('bedrock', 'Bedrock from the form', bedrock.url);
    await drawer.getByLabel('Region').fill(BEDROCK_CREDENTIALS.region);
    await drawer.getByLabel('Access key ID').fill(BEDROCK_CREDENTIALS.accessKeyId);
    await drawer.getByLabel('Secret access key').fill(BEDROCK_CREDENTIALS.secretAccessKey);
    const row = await create('Bedrock from the form');
    expect(row).toMatchObject({
      type: 'bedrock',
      hasApiKey: true,
      options: { aws: { region: BEDROCK_CREDENTIALS.region, accessKeyId: BEDROCK_CREDENTIALS.accessKeyId } },
    });
    expect(await ask(row.id, 'form-bedrock', 'amazon.nova-pro-v1:0')).toBe('Hello from bedrock: from the form');

    // Editing shows the stored options back, never the secret.
    await page.goto(`${gateway.url}/providers`);
    await page
      .getByRole('row', { name: /Bedrock from the form/ })
      .getByRole('button', { name: /edit/i })
      .first()
      .click();
    const edit = page.getByRole('dialog');
    await expect.poll(() => edit.getByLabel('Region').inputValue()).toBe(BEDROCK_CREDENTIALS.region);
    expect(await edit.getByLabel('Secret access key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(BEDROCK_CREDENTIALS.secretAccessKey);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('Vertex AI: project and location as options, the service-account key file sealed', async () => {
    const drawer = await newProvider('vertex-anthropic', 'Vertex from the form', vertex.url);
    await drawer.getByLabel('Project ID').fill('mock-project-123');
    await drawer.getByLabel('Location').fill('us-east5');
    await drawer.getByLabel('Service account key (JSON)').fill(vertex.serviceAccount);
    const row = await create('Vertex from the form');
    expect(row).toMatchObject({ type: 'vertex-anthropic', hasApiKey: true, options: { vertex: { project: 'mock-project-123', location: 'us-east5' } } });
    expect(await ask(row.id, 'form-vertex', 'claude-sonnet-4-5@20250929')).toBe('Hello from anthropic: from the form');
  });

  it('Azure OpenAI with Entra ID: tenant, client id and authority host as options, the client secret sealed', async () => {
    const drawer = await newProvider('azure-openai', 'Azure Entra from the form', entra.url);
    expect(await drawer.getByLabel('Tenant ID').count()).toBe(0);
    await drawer.getByRole('switch', { name: 'Sign in with Microsoft Entra ID' }).check({ force: true });
    // Entra needs its tenant and client: refused until they are filled in.
    await page.getByRole('button', { name: 'Create provider' }).click();
    await drawer.getByText('Tenant ID is required').waitFor();
    await drawer.getByLabel('Tenant ID').fill(ENTRA.tenantId);
    await drawer.getByLabel('Client ID').fill(ENTRA.clientId);
    await drawer.getByLabel('Authority host').fill(entra.url);
    await drawer.getByRole('textbox', { name: 'Client secret' }).fill(ENTRA.clientSecret);
    const row = await create('Azure Entra from the form');
    expect(row).toMatchObject({
      type: 'azure-openai',
      hasApiKey: true,
      options: { entra: { tenantId: ENTRA.tenantId, clientId: ENTRA.clientId, authorityHost: entra.url } },
    });
    expect(await ask(row.id, 'form-azure', 'prod-gpt4o-deployment')).toBe('Hello from azure-openai: from the form');
    expect(entra.tokensIssued).toBe(1);
  });

  it('Amazon Bedrock (Anthropic InvokeModel): the same credential fields; Claude answers through InvokeModel', async () => {
    const drawer = await newProvider('bedrock-anthropic', 'Bedrock Claude from the form', invoke.url);
    await drawer.getByLabel('Region').fill(BEDROCK_CREDENTIALS.region);
    await drawer.getByLabel('Access key ID').fill(BEDROCK_CREDENTIALS.accessKeyId);
    await drawer.getByLabel('Secret access key').fill(BEDROCK_CREDENTIALS.secretAccessKey);
    const row = await create('Bedrock Claude from the form');
    expect(row).toMatchObject({
      type: 'bedrock-anthropic',
      hasApiKey: true,
      options: { aws: { region: BEDROCK_CREDENTIALS.region, accessKeyId: BEDROCK_CREDENTIALS.accessKeyId } },
    });
    expect(await ask(row.id, 'form-bedrock-claude', 'anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('Hello from anthropic: from the form');
    expect(invoke.requests.at(-1)!.url).toBe(`/model/${encodeURIComponent('anthropic.claude-haiku-4-5-20251001-v1:0')}/invoke`);
  });

  it('left no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
