import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUpstreamModels } from '../../server/models-import/list-upstream-models.js';
import type { ProviderEntry } from '../../server/snapshot/types.js';
import { startCustomUpstream, type CustomUpstream } from '../support/proxy-fixture.js';

const provider = (type: string, baseUrl: string): ProviderEntry => ({
  id: type,
  name: type,
  type,
  baseUrl,
  apiKey: 'k',
  headers: {},
  options: {},
  enabled: true,
});

describe('provider model lists that page', () => {
  let anthropic: CustomUpstream;
  let gemini: CustomUpstream;

  beforeAll(async () => {
    // Anthropic: after_id / has_more / last_id, three pages.
    anthropic = await startCustomUpstream((req, _body, res) => {
      const after = new URL(req.url!, 'http://x').searchParams.get('after_id');
      const page =
        after === null
          ? { data: [{ id: 'claude-b', display_name: 'B' }, { id: 'odd' }], has_more: true, last_id: 'odd' }
          : after === 'odd'
            ? { data: [{ id: 'claude-a' }, { display_name: 'no id' }], has_more: true, last_id: 'claude-a' }
            : { data: [{ id: 'claude-b' }], has_more: false, last_id: 'claude-b' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    });
    // Gemini: pageToken / nextPageToken, two pages.
    gemini = await startCustomUpstream((req, _body, res) => {
      const token = new URL(req.url!, 'http://x').searchParams.get('pageToken');
      const page =
        token === null
          ? {
              models: [{ name: 'models/gemini-x', displayName: 'X', supportedGenerationMethods: ['generateContent'] }, { displayName: 'nameless' }],
              nextPageToken: 't2',
            }
          : { models: [{ name: 'models/text-embedding-9', supportedGenerationMethods: ['embedContent'] }, { name: 'models/other' }] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    });
  });
  afterAll(async () => {
    await Promise.all([anthropic?.close(), gemini?.close()]);
  });

  it('follows Anthropic pages until has_more is false, skipping items without an id', async () => {
    const models = await listUpstreamModels(provider('anthropic', anthropic.url));
    expect(models).toEqual([
      { id: 'claude-a', displayName: undefined, mode: 'chat' },
      { id: 'claude-b', displayName: 'B', mode: 'chat' },
      { id: 'odd', displayName: undefined, mode: 'chat' },
    ]);
    expect(anthropic.requests).toHaveLength(3);
  });

  it('follows Gemini pages until there is no nextPageToken, with modes from the generation methods', async () => {
    const models = await listUpstreamModels(provider('gemini', gemini.url));
    expect(models).toEqual([
      { id: 'gemini-x', displayName: 'X', mode: 'chat' },
      { id: 'other', displayName: undefined, mode: undefined },
      { id: 'text-embedding-9', displayName: undefined, mode: 'embedding' },
    ]);
    expect(gemini.requests).toHaveLength(2);
  });
});
