import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createModel, createProvider } from '../support/proxy-fixture.js';

/** A 1×1 PNG, sent as the image part. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/**
 * The playground beyond plain chat, against a real gateway and a strict OpenAI mock upstream: tools
 * sent and the model's tool call shown, an image sent as an image part, the raw exchange in each
 * client format (Chat Completions, Responses, Messages), and two models answering side by side.
 */
describe('admin UI: playground tools, images, formats and compare', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    upstream = await startOpenAIChatMock();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: upstream.url });
    await createModel(gateway, providerId, 'alpha', 'alpha-upstream', { inputPrice: 0.001, outputPrice: 0.002 });
    await createModel(gateway, providerId, 'beta', 'beta-upstream');
    ({ browser, page, pageErrors } = await openUi({ token: await gateway.adminToken(), viewport: { width: 1440, height: 1000 }, colorScheme: 'light' }));
    await page.goto(`${gateway.url}/playground`);
    await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  const lane = (i: number) => page.getByTestId(`lane-${i}`);
  const raw = async (l: Locator, part: 'request' | 'response') => {
    const details = l.locator('details');
    if (!(await details.evaluate((d: HTMLDetailsElement) => d.open))) await details.locator('summary').click();
    return (await l.getByTestId(`raw-${part}`).textContent()) ?? '';
  };

  async function sendMessage(text: string) {
    const before = upstream.requests.length;
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
    return before;
  }

  it('sends the tools and shows the tool call the model made', async () => {
    await expect.poll(() => page.getByLabel('Model', { exact: true }).inputValue()).toBe('alpha');
    await page.getByLabel('Tools (JSON)').fill('[oops');
    expect(await page.getByRole('alert').filter({ hasText: 'Tools are not valid' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);

    await page.getByLabel('Tools (JSON)').fill(JSON.stringify([WEATHER_TOOL]));
    const before = await sendMessage('What is the weather in Paris?');
    const call = lane(0).getByTestId('message-assistant').getByTestId('tool-call');
    await expect.poll(() => call.count()).toBe(1);
    expect(await call.getByTestId('tool-call-name').textContent()).toBe('get_weather');
    expect(JSON.parse((await call.getByTestId('tool-call-arguments').textContent()) ?? '')).toEqual({ city: 'Paris' });

    expect(upstream.requests.length).toBe(before + 1);
    const sent = upstream.requests.at(-1)!.body;
    expect(sent.model).toBe('alpha-upstream');
    expect(sent.tools).toEqual([WEATHER_TOOL]);
    // The raw view holds the request as the gateway received it and the stream it returned.
    const request = JSON.parse(await raw(lane(0), 'request'));
    expect(request.tools).toEqual([WEATHER_TOOL]);
    expect(request.model).toBe('alpha');
    const response = await raw(lane(0), 'response');
    expect(response).toMatch(/^data: \{/);
    expect(response).toContain('"tool_calls"');
    expect(response).toContain('get_weather');
    await screenshot(page, 'playground-tool-call');
  });

  it('sends an uploaded image as an image part', async () => {
    await page.getByLabel('Tools (JSON)').fill('');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_BASE64, 'base64') });
    await page.getByTestId('attached-image').waitFor();
    await sendMessage('What is in this picture?');
    const answer = lane(0).getByTestId('message-assistant');
    await expect.poll(() => answer.textContent()).toContain('I see an image');

    const sent = upstream.requests.at(-1)!.body;
    expect(sent.messages.at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
      ],
    });
    expect(sent.tools).toBeUndefined();
    expect(await lane(0).getByTestId('message-user').locator('img').getAttribute('alt')).toBe('dot.png');
    // The image goes with that one message only.
    expect(await page.getByTestId('attached-image').count()).toBe(0);
  });

  it('speaks Messages: the raw request and response are the Anthropic wire format, the image a base64 block', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Client format').selectOption('messages');
    await page.getByLabel('System prompt').fill('Be brief.');
    await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_BASE64, 'base64') });
    await sendMessage('Describe it');
    const answer = lane(0).getByTestId('message-assistant');
    await expect.poll(() => answer.textContent()).toContain('I see an image');
    await expect.poll(() => lane(0).getByTestId('stat-tokens').textContent()).toContain('12 in · 8 out');

    const request = JSON.parse(await raw(lane(0), 'request'));
    expect(request).toMatchObject({ model: 'alpha', max_tokens: 1024, system: 'Be brief.', stream: true });
    expect(request.messages.at(-1).content[1]).toEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } });
    expect(await lane(0).locator('details').textContent()).toContain('POST /v1/messages');
    const response = await raw(lane(0), 'response');
    expect(response).toMatch(/^event: message_start/);
    expect(response).toContain('event: content_block_delta');
    expect(response).toContain('event: message_stop');

    // The gateway translated it for the chat upstream: system first, the image as image_url.
    const sent = upstream.requests.at(-1)!.body;
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    const parts = sent.messages.at(-1).content as { type: string; image_url?: { url: string } }[];
    expect(parts.find((p) => p.type === 'image_url')?.image_url?.url).toBe(`data:image/png;base64,${PNG_BASE64}`);
  });

  it('speaks Responses, tool calls included', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Client format').selectOption('responses');
    await page.getByLabel('System prompt').fill('');
    await page.getByLabel('Tools (JSON)').fill(JSON.stringify([WEATHER_TOOL]));
    await sendMessage('Weather in Paris, please');
    const call = lane(0).getByTestId('message-assistant').getByTestId('tool-call');
    await expect.poll(() => call.count()).toBe(1);
    expect(await call.getByTestId('tool-call-name').textContent()).toBe('get_weather');
    expect(JSON.parse((await call.getByTestId('tool-call-arguments').textContent()) ?? '')).toEqual({ city: 'Paris' });

    const request = JSON.parse(await raw(lane(0), 'request'));
    expect(request.tools).toEqual([{ type: 'function', ...WEATHER_TOOL.function }]);
    expect(request.input).toEqual([{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris, please' }] }]);
    expect(await lane(0).locator('details').textContent()).toContain('POST /v1/responses');
    const response = await raw(lane(0), 'response');
    expect(response).toMatch(/^event: response\.created/);
    expect(response).toContain('event: response.function_call_arguments.delta');
    expect(response).toContain('event: response.completed');
    expect(upstream.requests.at(-1)!.body.tools).toEqual([WEATHER_TOOL]);
  });

  it('compares two models side by side, both answering the same message', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Tools (JSON)').fill('');
    await page.getByLabel('Client format').selectOption('chat');
    await page.getByLabel('Compare with').selectOption('beta');
    await expect.poll(() => lane(1).count()).toBe(1);
    const before = await sendMessage('Which model are you?');

    for (const i of [0, 1]) {
      await expect.poll(() => lane(i).getByTestId('message-assistant').locator('p').textContent()).toBe('Hello from openai-chat: Which model are you?');
    }
    await expect.poll(() => lane(0).getByTestId('stat-target').textContent()).toBe('Mock OpenAI · alpha-upstream');
    await expect.poll(() => lane(1).getByTestId('stat-target').textContent()).toBe('Mock OpenAI · beta-upstream');
    expect(await lane(0).getByTestId('stat-cost').textContent()).toBe('$0.028');
    expect(await lane(1).getByTestId('stat-cost').textContent()).toBe('$0.00');
    expect(
      upstream.requests
        .slice(before)
        .map((r) => r.body.model)
        .sort(),
    ).toEqual(['alpha-upstream', 'beta-upstream']);
    expect(await lane(0).getByRole('heading', { name: 'alpha' }).count()).toBe(1);
    expect(await lane(1).getByRole('heading', { name: 'beta' }).count()).toBe(1);
    await screenshot(page, 'playground-compare');

    // A second turn keeps each model's own history.
    await sendMessage('And again?');
    for (const i of [0, 1]) await expect.poll(() => lane(i).getByTestId('message-assistant').count()).toBe(2);
    const last = upstream.requests.slice(-2);
    for (const r of last) expect(r.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);

    await page.getByLabel('Compare with').selectOption('');
    await expect.poll(() => lane(1).count()).toBe(0);
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
