import { describe, expect, it } from 'vitest';
import { Redactor, REDACTED } from '../../server/secrets/redactor.js';
import { captureBody } from '../../server/secrets/body-capture.js';

describe('the scrubber', () => {
  it('replaces configured secrets whatever their shape, and recompiles when a source changes', () => {
    const r = new Redactor();
    expect(r.scrub('token plain-configured-value here')).toBe('token plain-configured-value here');
    r.set('snapshot', ['plain-configured-value']);
    expect(r.scrub('token plain-configured-value here')).toBe(`token ${REDACTED} here`);
    r.set('snapshot', ['another-value-123']);
    expect(r.scrub('plain-configured-value / another-value-123')).toBe(`plain-configured-value / ${REDACTED}`);
    r.delete('snapshot');
    expect(r.scrub('another-value-123')).toBe('another-value-123');
  });

  it("a text scrubbed before stays right for a caller's own secrets and past the remembered length", () => {
    const r = new Redactor();
    expect(r.scrub('value callers-own-secret')).toBe('value callers-own-secret');
    expect(r.scrub('value callers-own-secret', ['callers-own-secret'])).toBe(`value ${REDACTED}`);
    expect(r.scrub('value callers-own-secret')).toBe('value callers-own-secret');
    r.set('s', ['configured-long-secret']);
    const long = `${'x'.repeat(300)} configured-long-secret`;
    expect(r.scrub(long)).toBe(`${'x'.repeat(300)} ${REDACTED}`);
  });

  it('keeps sources apart and replaces a secret that contains another one whole', () => {
    const r = new Redactor();
    r.set('a', ['abcdefgh']);
    r.set('b', ['abcdefgh-and-more']);
    expect(r.scrub('x abcdefgh-and-more y abcdefgh z')).toBe(`x ${REDACTED} y ${REDACTED} z`);
  });

  it('escapes regular-expression characters in secrets and ignores values too short to be secrets', () => {
    const r = new Redactor();
    r.set('s', ['a.b*c+d?e(f)[g]', 'ollama', '  padded-secret  ']);
    expect(r.scrub('a.b*c+d?e(f)[g] and aXbbc')).toBe(`${REDACTED} and aXbbc`);
    expect(r.scrub('ollama stays')).toBe('ollama stays');
    expect(r.scrub('padded-secret')).toBe(REDACTED);
  });

  it('removes known key shapes without configuration', () => {
    const r = new Redactor();
    const cases = [
      'sk-abcdefghijklmnop',
      'sk-proj-AbCdEf0123456789xyz',
      'sk-ant-api03-abcdefghijklmnop',
      'sk-gw-Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkw',
      'AIzaSyA-abcdefghijklmnopqrstuv',
      'xai-abcdefghijklmnopqrst',
      'gsk_abcdefghijklmnopqrst',
      'AKIAIOSFODNN7EXAMPLE',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXZhbHVl',
    ];
    for (const key of cases) expect(r.scrub(`Incorrect API key provided: ${key}.`), key).toBe(`Incorrect API key provided: ${REDACTED}.`);
    expect(r.scrub('Authorization: Bearer opaque.token-value_123')).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it('leaves ordinary text alone (field names, words, masked hints)', () => {
    const r = new Redactor();
    for (const text of ['key_prefix', 'monkey-business', 'sk-…a1b2', 'a risky task', 'the api_key field is missing', 'Bearer of bad news']) {
      expect(r.scrub(text)).toBe(text);
    }
  });

  it('scrubs request-scoped secrets passed by the caller', () => {
    const r = new Redactor();
    expect(r.scrub('you sent opaque-client-credential', ['opaque-client-credential', undefined])).toBe(`you sent ${REDACTED}`);
  });

  // Cost is the benchmark's business, not a timed test's; this checks that one compiled
  // matcher over many configured secrets finds every one of them and nothing else.
  it('with 1,000 configured secrets, scrubs each of them in a 32 KiB body and leaves the rest alone', () => {
    const r = new Redactor();
    const secrets = Array.from({ length: 1000 }, (_, i) => `configured-secret-${i.toString(36)}-${'x'.repeat(12)}`);
    r.set('many', secrets);
    const filler = 'lorem ipsum dolor sit amet '.repeat(1200);
    const picked = [0, 1, 36, 777, 999].map((i) => secrets[i]);
    const out = r.scrub(`${filler}${picked.join(' | ')} end`);
    expect(out).toBe(`${filler}${picked.map(() => REDACTED).join(' | ')} end`);
    for (const secret of secrets) expect(out.includes(secret)).toBe(false);
  });

  it('is what stored bodies go through, with credential JSON fields emptied too', () => {
    const stored = captureBody(JSON.stringify({ api_key: 'whatever-value', note: 'key sk-abcdefghijklmnop' }));
    expect(stored).toBe(`{"api_key":"${REDACTED}","note":"key ${REDACTED}"}`);
  });
});

describe('the secrets of a configuration snapshot', () => {
  it('are provider keys, provider header values and model default header values', async () => {
    const { snapshotSecrets } = await import('../../server/snapshot/instance-secrets.js');
    const provider = {
      id: 'p',
      name: 'p',
      type: 'openai',
      baseUrl: 'http://x',
      apiKey: 'provider-key-123456',
      headers: { 'X-A': 'header-value-123456' },
      options: {},
      enabled: true,
    };
    const model = {
      id: 'm',
      name: 'm',
      upstreamModel: 'm',
      mode: 'chat',
      provider,
      requestDefaults: { headers: { 'X-B': 'model-header-123456' }, body: { max_tokens: 5 } },
      enabled: true,
      createdAt: 0,
    };
    const secrets = snapshotSecrets({
      version: 1,
      providersById: new Map([['p', provider]]),
      modelsByName: new Map([['m', model]]),
      keysByHash: new Map(),
      virtualModelsByName: new Map(),
    } as never);
    expect(secrets.sort()).toEqual(['header-value-123456', 'model-header-123456', 'provider-key-123456']);
  });
});
