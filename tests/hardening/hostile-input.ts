/**
 * Hostile requests for the HTTP fuzz: known attacks written out (deep nesting,
 * huge element counts, lone surrogates, invalid UTF-8, tokenizer bombs, broken
 * percent-encoding, GraphQL abuse) plus generated ones (fast-check, fixed seed
 * so a failure can be replayed).
 */
import fc from 'fast-check';

export interface HostileRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** What it is, for failure messages. */
  label: string;
}

export interface FuzzModels {
  chat: string;
  responses: string;
  anthropic: string;
  gemini: string;
  embeddings: string;
}

const V1 = ['/v1/chat/completions', '/v1/responses', '/v1/messages', '/v1/messages/count_tokens', '/v1/embeddings'];

const deep = (levels: number, open = '[', close = ']') => open.repeat(levels) + close.repeat(levels);
const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const deepSchema = (levels: number) => {
  let schema = '{"type":"string"}';
  for (let i = 0; i < levels; i++) schema = `{"type":"object","properties":{"a":${schema}}}`;
  return schema;
};

/**
 * The written-out attacks, each against the endpoints it applies to. `nonce`
 * makes GraphQL documents unique, so no pass is served from yoga's document cache.
 */
export function knownAttacks(m: FuzzModels, nonce = 'n0'): HostileRequest[] {
  const out: HostileRequest[] = [];
  const post = (path: string, body: string | Buffer, label: string, headers?: Record<string, string>) =>
    out.push({ method: 'POST', path, body, label, headers });
  for (const path of V1) {
    for (const levels of [100, 5000, 50_000]) {
      post(
        path,
        `{"model":"${m.chat}","messages":[{"role":"user","content":"hi"}],"input":"hi","max_tokens":5,"metadata":${deep(levels)}}`,
        `${path} arrays ${levels} deep`,
      );
      post(path, `{"model":"${m.anthropic}","messages":${deep(levels)}}`, `${path} messages ${levels} deep`);
    }
    post(path, `{"model":"${m.chat}","messages":[{"role":"user","content":"hi"}],"extra":${deepObject(20_000)}}`, `${path} objects 20000 deep`);
    post(path, `{"model":"${m.chat}","messages":[${Array.from({ length: 300_000 }, () => '1').join(',')}]}`, `${path} 300k elements`);
    post(path, '{"model":"\\ud800","messages":[{"role":"user","content":"\\udfff\\ud800x"}],"input":"\\ud800"}', `${path} lone surrogates`);
    post(path, Buffer.from([0x7b, 0x22, 0x6d, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]), `${path} invalid UTF-8`);
    for (const raw of [
      '',
      'null',
      '[]',
      '"x"',
      '{',
      '{"model":',
      '1e400',
      '{"model":1e400}',
      '{"__proto__":{"polluted":1},"model":"x"}',
      '{"constructor":{"prototype":{"x":1}}}',
    ]) {
      post(path, raw, `${path} body ${JSON.stringify(raw)}`);
    }
    post(path, 'model=x', `${path} form body`, { 'content-type': 'application/x-www-form-urlencoded' });
    out.push({ method: 'PUT', path, body: '{}', label: `PUT ${path}` });
    out.push({ method: 'DELETE', path, label: `DELETE ${path}` });
  }
  // Tool schemas deep enough to overflow any recursive walk (JSON.stringify, schema conversion).
  for (const model of [m.chat, m.anthropic, m.gemini, m.responses]) {
    post(
      '/v1/chat/completions',
      `{"model":"${model}","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deepSchema(5000)}}}]}`,
      `tool schema 5000 deep → ${model}`,
    );
    post(
      '/v1/messages',
      `{"model":"${model}","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":${deepSchema(5000)}}]}`,
      `anthropic tool schema 5000 deep → ${model}`,
    );
  }
  // Tokenizer bombs: text without spaces, combining marks, to the local tokenizer.
  const letters = 'a'.repeat(200_000);
  const accents = 'e' + '\u0301'.repeat(60_000);
  for (const text of [letters, accents]) {
    post('/v1/messages/count_tokens', JSON.stringify({ model: m.chat, messages: [{ role: 'user', content: text }] }), `count_tokens ${text.length} chars`);
    post(
      '/v1/messages/count_tokens',
      JSON.stringify({
        model: m.gemini,
        system: text,
        messages: [{ role: 'user', content: text }],
        tools: [{ name: text.slice(0, 2000), input_schema: { type: 'object', description: text } }],
      }),
      `count_tokens to gemini ${text.length} chars`,
    );
    post('/v1/embeddings', JSON.stringify({ model: m.embeddings, input: [text, text] }), `gemini embeddings ${text.length} chars`);
  }
  // Paths.
  for (const path of [
    '/%',
    '/%E0%A4%A',
    '/status/%FF',
    '/_app/%C0%AF',
    '/v1/%FF',
    '/public/%',
    '/public/health/%E0',
    '//',
    '/../../etc/passwd',
    '/_app/immutable/%2e%2e/%2e%2e/package.json',
    '/v1/chat/completions/%00',
    '/graphql/%',
    '/%u0000',
  ]) {
    out.push({ method: 'GET', path, label: `GET ${path}` });
  }
  out.push({ method: 'GET', path: '/graphql?query=%FF', label: 'GraphQL GET with broken encoding' });
  // GraphQL.
  const gql = (query: unknown, label: string, variables?: string) =>
    post('/graphql', variables ? `{"query":${JSON.stringify(query)},"variables":${variables}}` : JSON.stringify({ query }), label);
  gql(`query ${nonce} { ${'me { '.repeat(3000)}id${' }'.repeat(3000)} }`, 'GraphQL 3000 levels');
  gql(`query { ${Array.from({ length: 1000 }, (_, i) => `${nonce}${i}: me { id }`).join(' ')} }`, 'GraphQL 1000 aliases');
  gql(`query { ${Array.from({ length: 90 }, (_, i) => `${nonce}${i}: me { id email }`).join(' ')} }`, 'GraphQL 90 aliases');
  gql(`query ${nonce} { me { id `, 'GraphQL syntax error');
  gql(123, 'GraphQL query not a string');
  gql(`query ${nonce} { __typename }`, 'GraphQL deep variables', `{"v":${deep(10_000)}}`);
  post('/graphql', JSON.stringify(Array.from({ length: 50 }, () => ({ query: `query ${nonce} { __typename }` }))), 'GraphQL batch');
  gql(`query ${nonce} { ${'__typename '.repeat(20_000)} }`, 'GraphQL 20k fields');
  gql(`query ${nonce} { ${'__typename '.repeat(4_000)} }`, 'GraphQL 4k fields');
  return out;
}

/** Generated bodies shaped like requests, with hostile values. */
export function generatedRequests(m: FuzzModels, count: number, seed: number): HostileRequest[] {
  const models = fc.constantFrom(m.chat, m.responses, m.anthropic, m.gemini, m.embeddings, 'unknown-model', '', '\u0000');
  const hostileString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('\ud800', '\udfff', '\u0000', '\u202e', '%FF', '{{}}', '</script>', 'sk-looks-like-a-key-123456'),
    fc.integer({ min: 1, max: 5000 }).map((n) => 'x'.repeat(n)),
  );
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 3 }),
      hostileString,
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(hostileString, tie('v'), { maxKeys: 4 }),
    ),
  })).v;
  const content = fc.oneof(
    hostileString,
    fc.array(
      fc.record(
        {
          type: fc.constantFrom('text', 'image', 'image_url', 'input_text', 'tool_use', 'tool_result', 'thinking', 'document', 'x'),
          text: value,
          source: value,
          image_url: value,
          id: value,
          input: value,
          content: value,
        },
        { requiredKeys: ['type'] },
      ),
      { maxLength: 3 },
    ),
    value,
  );
  const message = fc.record(
    {
      role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool', 'developer', 'function'), hostileString),
      content,
      tool_calls: value,
      tool_call_id: value,
      name: value,
    },
    { requiredKeys: ['role'] },
  );
  const body = fc.record(
    {
      model: fc.oneof(models, value),
      stream: fc.oneof(fc.boolean(), value),
      max_tokens: fc.oneof(fc.integer({ min: -5, max: 100 }), value),
      messages: fc.oneof(fc.array(message, { maxLength: 4 }), value),
      input: fc.oneof(hostileString, fc.array(value, { maxLength: 3 }), value),
      system: value,
      instructions: value,
      tools: fc.oneof(
        fc.array(
          fc.record(
            { type: fc.constantFrom('function', 'custom', 'web_search_preview', 'x'), name: value, function: value, parameters: value, input_schema: value },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        value,
      ),
      tool_choice: value,
      response_format: value,
      temperature: value,
      stop: value,
      n: value,
      stream_options: value,
      encoding_format: value,
      dimensions: value,
    },
    { requiredKeys: [] },
  );
  const request = fc.record({
    path: fc.constantFrom(...V1),
    body,
    contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
  });
  return fc.sample(request, { numRuns: count, seed }).map((r, i) => ({
    method: 'POST',
    path: r.path,
    body: JSON.stringify(r.body),
    headers: { 'content-type': r.contentType },
    label: `generated #${i} (seed ${seed}) ${r.path}`,
  }));
}
