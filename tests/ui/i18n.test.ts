import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clientSourceFiles, scanFile, scanSource } from './i18n-scan.js';

// The admin UI's messages: every key in both languages, every key the code uses exists, and no
// user-facing English is left in the sources outside the message files.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const clientSrc = path.join(root, 'client/src');
type Messages = Record<string, Record<string, string>>;
const load = (lang: string): Messages => JSON.parse(readFileSync(path.join(clientSrc, 'lib/i18n', `${lang}.json`), 'utf8')) as Messages;
const flatten = (messages: Messages): Map<string, string> =>
  new Map(Object.entries(messages).flatMap(([ns, bucket]) => Object.entries(bucket).map(([key, text]) => [`${ns}.${key}`, text] as const)));
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)[,}]/g)].map((m) => m[1]))].sort();

const en = flatten(load('en'));
const zh = flatten(load('zh-CN'));

// Messages that read the same in Chinese (formats, protocol names, a probe prompt sent to models).
const SAME_IN_CHINESE = new Set([
  'healthFormat.hTTP4xx',
  'healthFormat.hTTP5xx',
  'modelForm.responses',
  'providerForm.baseURL',
  'providerTable.baseURL',
  'logDetail.userAgent',
  'healthTargetForm.sayOK',
  'modelForm.tokens',
  'pageHeader.lLMGateway',
  'promptRulesTypes.chatCompletionsV1ChatCompletions',
  'promptRulesTypes.responsesV1Responses',
  'promptRulesTypes.anthropicMessagesV1Messages',
  'settingsPage.anthropicBaseURL',
  'playground.topP',
  'playground.tokens',
]);

describe('admin UI messages', () => {
  it('has every key in English and in Simplified Chinese, with the same placeholders', () => {
    expect(en.size).toBeGreaterThan(700);
    expect([...en.keys()].filter((k) => !zh.has(k))).toEqual([]);
    expect([...zh.keys()].filter((k) => !en.has(k))).toEqual([]);
    const mismatched = [...en].filter(([key, text]) => JSON.stringify(placeholders(text)) !== JSON.stringify(placeholders(zh.get(key) ?? '')));
    expect(mismatched).toEqual([]);
  });

  it('translates every Chinese message (no English copy left behind)', () => {
    const untranslated = [...zh].filter(
      ([key, text]) => !SAME_IN_CHINESE.has(key) && !/[\u4e00-\u9fff]/.test(text) && /[A-Za-z]{2,}/.test(text.replace(/\{\w+\}/g, '')),
    );
    expect(untranslated).toEqual([]);
  });

  it('uses only keys that exist', () => {
    const used = new Set<string>();
    for (const file of clientSourceFiles(clientSrc)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\btr\(\s*'([\w.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(500);
    expect([...used].filter((key) => !en.has(key))).toEqual([]);
  });

  it('leaves no hard-coded English in .svelte and .ts sources', () => {
    const left = clientSourceFiles(clientSrc).flatMap((file) => scanFile(file).map((f) => `${path.relative(clientSrc, file)}: ${JSON.stringify(f.text)}`));
    expect(left).toEqual([]);
  });

  it('finds English the check is meant to catch', () => {
    const sample = `<script lang="ts">
  const columns = [{ key: 'name', label: 'Name' }];
  notify.success(\`Saved \${name}\`);
  if (state === 'Down') go();
</script>
<Button variant="primary" icon="plus">New provider</Button>
<Input label="Base URL" placeholder="sk-..." />
<p>{count} entries</p>
<div class="card wide" data-testid="x">{tr('a.b')}</div>`;
    const found = scanSource('Sample.svelte', sample).map((f) => f.text);
    expect(found).toEqual(['Name', 'Saved {name}', 'New provider', 'Base URL', 'entries']);
  });
});
