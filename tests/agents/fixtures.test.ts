/**
 * Fast checks over what the real agents sent (tests/fixtures/agents, recorded by the agent
 * suites with REFRESH_AGENT_FIXTURES=1): each client request decodes with its client
 * format and encodes for every upstream wire format without throwing; every tool the agent
 * offered is carried (under its own or a flattened name, or the hosted equivalent) or named
 * in a warning; tool results keep their output; and re-encoding gives the upstreams the same
 * tools the gateway sent them in the recorded run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClientApi, UpstreamWire } from '../../server/core/wire.js';
import { CLIENT_FORMATS, UPSTREAM_FORMATS } from '../../server/proxy/formats/registry.js';
import { conversationView, NONCE_PATTERN, type WireFormat } from '../support/mock-upstreams/scripted-model.js';

type Json = Record<string, any>;
const fixture = (agent: string, name: string): { url: string; headers: Json; body: Json } =>
  JSON.parse(readFileSync(new URL(`../fixtures/agents/${agent}/${name}.json`, import.meta.url), 'utf8'));

const AGENTS: Array<{ agent: string; api: ClientApi }> = [
  { agent: 'codex', api: 'responses' },
  { agent: 'claude-code', api: 'messages' },
];
const WIRES = ['openai-chat', 'openai-responses', 'anthropic-messages', 'gemini'] as const satisfies readonly UpstreamWire[];
const MOCK_FORMAT: Record<(typeof WIRES)[number], WireFormat> = {
  'openai-chat': 'openai-chat',
  'openai-responses': 'openai-responses',
  'anthropic-messages': 'anthropic',
  gemini: 'gemini',
};
const HOSTED_SEARCH = /web_search|googleSearch|google_search/;

/** What identifies each tool a client offered: its name(s), or for a hosted tool its type. */
function offeredTools(api: ClientApi, body: Json): Array<{ label: string; names: string[]; type: string }> {
  const tools: Json[] = Array.isArray(body.tools) ? body.tools : [];
  return tools.map((tool) => {
    const type = String(tool.type ?? 'function');
    if (api === 'responses' && type === 'namespace') return { label: `namespace ${tool.name}`, names: (tool.tools ?? []).map((t: Json) => t.name), type };
    if (typeof tool.name === 'string' && (type === 'function' || type === 'custom' || api === 'messages'))
      return { label: tool.name, names: [tool.name], type };
    return { label: type, names: [], type };
  });
}

function encode(api: ClientApi, wire: UpstreamWire, body: Json) {
  const request = CLIENT_FORMATS[api].decodeRequest(structuredClone(body));
  const warnings: string[] = [...((request as { warnings?: string[] }).warnings ?? [])];
  const target = { upstreamModel: 'upstream-model', maxOutputTokens: 8192, warnings };
  const encoded = UPSTREAM_FORMATS[wire].encodeRequest(request, target);
  return { encoded, text: JSON.stringify(encoded), warnings };
}

describe.each(AGENTS)('$agent recorded requests', ({ agent, api }) => {
  const client = fixture(agent, 'client-request');
  const withResult = fixture(agent, 'client-tool-result-request');

  test('the fixtures are what the agent sent: its own wire format, no secrets', () => {
    expect(client.url).toContain(api === 'responses' ? '/responses' : '/v1/messages');
    for (const f of [client, withResult]) {
      for (const name of ['authorization', 'x-api-key', 'x-goog-api-key']) expect(f.headers[name]).toBeUndefined();
      expect(JSON.stringify(f)).not.toMatch(/sk-gw-|upstream-secret-key/);
    }
    expect(offeredTools(api, client.body).length).toBeGreaterThan(0);
  });

  test.each(WIRES)('encodes for %s: no throw, every tool carried or warned about', (wire) => {
    const { text, warnings } = encode(api, wire, client.body);
    for (const tool of offeredTools(api, client.body)) {
      const carried = tool.names.length > 0 ? tool.names.every((name) => text.includes(name)) : tool.type.startsWith('web_search') && HOSTED_SEARCH.test(text);
      const warned = warnings.some((w) => w.includes(tool.type) || tool.names.some((name) => w.includes(name)));
      expect(carried || warned, `${tool.label} (${tool.type}) to ${wire}: neither carried nor warned; warnings: ${JSON.stringify(warnings)}`).toBe(true);
    }
  });

  test.each(WIRES)("the shell tool's output reaches %s as a tool result", (wire) => {
    const printed = JSON.stringify(withResult.body).match(NONCE_PATTERN)?.[0];
    expect(printed).toBeDefined();
    const { encoded } = encode(api, wire, withResult.body);
    const view = conversationView(MOCK_FORMAT[wire], encoded);
    expect(view.lastToolResult).toContain(printed);
  });

  test.each(WIRES.filter((w) => w !== (api === 'responses' ? 'openai-responses' : 'anthropic-messages')))(
    're-encoding for %s offers the tools the gateway sent in the recorded run',
    (wire) => {
      const recorded = fixture(agent, `upstream-${MOCK_FORMAT[wire]}`);
      const names = (body: unknown) =>
        conversationView(MOCK_FORMAT[wire], body)
          .tools.map((t) => t.name)
          .sort();
      expect(names(encode(api, wire, client.body).encoded)).toEqual(names(recorded.body));
    },
  );
});
