import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topLevelStringMember } from '../../server/http/json-member.js';
import { UpstreamRequest } from '../../server/proxy/pipeline/upstream-request.js';
import type { ModelEntry } from '../../server/snapshot/types.js';

/** A passthrough request on the client's bytes (the model entry is not read by the body methods). */
function passthrough(text: string): UpstreamRequest {
  const raw = Buffer.from(text);
  return new UpstreamRequest({} as ModelEntry, 'openai-chat', 'generate', true, JSON.parse(text) as Record<string, unknown>, raw, false);
}

const sent = (up: UpstreamRequest) => Buffer.from(up.bytes()).toString('utf8');

describe('renaming the model in the client bytes', () => {
  it('replaces only the top-level model string: every other byte goes out as the client sent it', () => {
    const text =
      '{ "model" :  "public-name",\n  "messages": [{"role":"user","content":"say \\"model\\": no","model":"public-name"}], "temperature": 1.0, "n": 1e0 }';
    const up = passthrough(text);
    up.renameModel('gpt-4o-2024-08-06');
    expect(sent(up)).toBe(text.replace('"public-name"', '"gpt-4o-2024-08-06"')); // the first only: the nested one stays
    expect(up.body.model).toBe('gpt-4o-2024-08-06');
  });

  it('escapes a new name that needs it', () => {
    const up = passthrough('{"model":"a","x":1}');
    up.renameModel('we"ird\\name');
    expect(JSON.parse(sent(up))).toEqual({ model: 'we"ird\\name', x: 1 });
  });

  it('falls back to re-serializing when the member is not found exactly (escaped key, duplicate with a non-string last)', () => {
    for (const text of ['{"mod\\u0065l":"a","x":1.0}', '{"model":"a","model":7}']) {
      const up = passthrough(text);
      up.renameModel('b');
      expect(JSON.parse(sent(up))).toEqual({ ...(JSON.parse(text) as object), model: 'b' });
    }
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const up = passthrough('{"model":"first","model":"second"}');
    up.renameModel('renamed');
    expect(sent(up)).toBe('{"model":"first","model":"renamed"}');
  });

  it('any object, any spacing: the bytes sent parse to the body with the new model, also after a later edit', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
        fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
        fc.string({ maxLength: 8 }),
        fc.constantFrom(0, 1, 2),
        fc.boolean(),
        (members, model, renamed, indent, editAfter) => {
          // Through JSON once, as a client's body arrives (-0 becomes 0).
          const body = JSON.parse(JSON.stringify(model === undefined ? members : { ...members, model })) as Record<string, unknown>;
          const up = passthrough(JSON.stringify(body, null, indent));
          up.renameModel(renamed);
          if (editAfter) up.edit().added = true;
          expect(JSON.parse(sent(up))).toEqual({ ...body, model: renamed, ...(editAfter ? { added: true } : {}) });
          expect(body.model).toBe(model); // the client's own object is never changed
        },
      ),
      { numRuns: 400 },
    );
  });

  it('any bytes: a range inside the text or none, never an exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const range = topLevelStringMember(bytes, 'model');
        if (range) expect(range.start >= 0 && range.end <= bytes.length && range.start < range.end).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
