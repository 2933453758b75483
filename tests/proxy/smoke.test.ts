import { afterAll, beforeAll, expect, test } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';

let gw: TestGateway; let oai: any; let ant: any; let key: string;
beforeAll(async () => {
  gw = await startTestGateway();
  oai = await startOpenAIChatMock(); ant = await startAnthropicMock();
  const p1 = await gw.admin('mutation($i: CreateProviderInput!){createProvider(input:$i){id}}', { i: { name: 'oai', type: 'openai', baseUrl: oai.url, apiKey: 'upstream-secret-key' } });
  const p2 = await gw.admin('mutation($i: CreateProviderInput!){createProvider(input:$i){id}}', { i: { name: 'ant', type: 'anthropic', baseUrl: ant.url, apiKey: 'upstream-secret-key' } });
  await gw.admin('mutation($i: CreateModelInput!){createModel(input:$i){id}}', { i: { providerId: p1.createProvider.id, name: 'gpt-x', upstreamModel: 'gpt-4o' } });
  await gw.admin('mutation($i: CreateModelInput!){createModel(input:$i){id}}', { i: { providerId: p2.createProvider.id, name: 'claude-x', upstreamModel: 'claude-sonnet-4-5' } });
  key = (await gw.admin('mutation{createVirtualKey(input:{name:"t"}){key}}')).createVirtualKey.key;
});
afterAll(async () => { await gw?.stop(); await oai?.close(); await ant?.close(); });

test('smoke', async () => {
  const o = new OpenAI({ baseURL: gw.url + '/v1', apiKey: key });
  for (const model of ['gpt-x', 'claude-x']) {
    const r = await o.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi there' }] });
    console.log(model, JSON.stringify(r.choices[0].message), JSON.stringify(r.usage));
    const s = o.chat.completions.stream({ model, messages: [{ role: 'user', content: 'hi stream' }], stream_options: { include_usage: true } });
    const f = await s.finalChatCompletion();
    console.log('stream', model, f.choices[0].message.content, JSON.stringify(f.usage));
    const rr = await o.responses.create({ model, input: 'hello responses' });
    console.log('responses', model, rr.output_text);
  }
  const a = new Anthropic({ baseURL: gw.url, apiKey: key });
  for (const model of ['gpt-x', 'claude-x']) {
    const m = await a.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hi anthropic' }] }).finalMessage();
    console.log('anthropic', model, JSON.stringify(m.content), JSON.stringify(m.usage));
  }
  expect(1).toBe(1);
});
