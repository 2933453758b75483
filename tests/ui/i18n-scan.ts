// Finds user-facing English left in the admin UI's sources: text in markup, prose attributes and
// prose string literals in scripts. Used by the i18n test (and to extract messages).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'svelte/compiler';

export interface FoundString {
  file: string;
  /** Byte range in the source to replace. */
  start: number;
  end: number;
  /** The message text (ICU, with {placeholders} for interpolated parts). */
  text: string;
  /** Placeholder name → expression source, in order. */
  values: [string, string][];
  /** Where it sits: markup text, an attribute value, or a script literal. */
  kind: 'text' | 'attribute' | 'literal';
  attribute?: string;
}

// Attributes whose values are code, not words people read.
const TECHNICAL_ATTRIBUTES = new Set([
  'class',
  'style',
  'id',
  'for',
  'name',
  'type',
  'href',
  'src',
  'rel',
  'target',
  'role',
  'icon',
  'variant',
  'tone',
  'size',
  'autocomplete',
  'inputmode',
  'pattern',
  'align',
  'width',
  'form',
  'method',
  'lang',
  'key',
  'data-testid',
  'mode',
  'kind',
  'accept',
  'step',
  'min',
  'max',
  'value',
  'spellcheck',
  'wrap',
  'd',
  'viewBox',
  'fill',
  'stroke',
  'xmlns',
  'points',
  'aria-hidden',
  'aria-live',
  'aria-labelledby',
  'aria-describedby',
  'aria-busy',
  'aria-controls',
  'aria-current',
  'aria-expanded',
  'aria-haspopup',
  'aria-modal',
  'aria-pressed',
  'aria-selected',
  'aria-checked',
  'draggable',
  'stroke-width',
  'stroke-linecap',
  'stroke-linejoin',
  'dir',
  'format',
  'placement',
  'position',
  'scope',
  'testid',
]);

// Words that stay as they are in every language (product and format names).
const UNTRANSLATED =
  /^(?:[-–—·•…,.:;/()|+#%$0-9\s]|OpenAI|Anthropic|Gemini|Google|Azure|Ollama|DeepSeek|LiteLLM|JSON|URL|API|HTTP|SSE|SQLite|PostgreSQL|Redis|GraphQL|RPM|TPM|TTFB|TTFT|ID|USD|p50|p95|p99|ms|s|K|M|OK|curl|zh|en|English|中文|简体中文)*$/;

/** Markup text is always for people: any word counts, product and format names aside. */
export function looksLikeMarkupProse(text: string): boolean {
  const trimmed = text.trim();
  return /[A-Za-z]{2,}/.test(trimmed) && !UNTRANSLATED.test(trimmed);
}

/** A template literal reads as a sentence when a lower-case word stands on its own between interpolations. */
function looksLikeTemplateProse(quasis: string[]): boolean {
  const words = quasis.join(' ');
  if (looksLikeProse(words)) return true;
  if (/[{};=<>]|=>|^[\w-]*$/.test(quasis.join(''))) return false;
  return quasis.some((q) => /(?:^|\s)[a-z]{3,}(?:\s|$)/.test(q) && /\s/.test(q));
}

/** Prose: at least one word of two or more letters, and shaped like a sentence or a label. */
export function looksLikeProse(text: string): boolean {
  const trimmed = text.trim();
  if (!/[A-Za-z]{2,}/.test(trimmed)) return false;
  if (UNTRANSLATED.test(trimmed)) return false;
  if (/^[a-z][\w.-]*$/.test(trimmed)) return false; // identifiers, enum values, css keywords
  if (/^[A-Z0-9_]+$/.test(trimmed)) return false; // CONSTANT values
  if (/^(?:https?:|\/|\.|#|\$|--|[a-z-]+:)/.test(trimmed) && !/\s[a-z]{3,}\s/.test(trimmed)) return false; // urls, paths, css vars
  if (/[{}=<>]|=>|;\s*$/.test(trimmed)) return false; // code
  if (/^[a-z0-9-]+(?:\s+[a-z0-9-]+)*$/.test(trimmed) && !/\s/.test(trimmed)) return false;
  // lower-case phrases with spaces are words only when they read like words (not css values such as "0 0 auto")
  if (/^[a-z]/.test(trimmed) && !/\b[a-z]{3,}\s+[a-z]{2,}/.test(trimmed) && !/^[a-z]{3,}$/.test(trimmed)) return false;
  if (/^[a-z]{3,}$/.test(trimmed)) return false;
  return true;
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

// Type-level wrappers around values (`x as const`): their value is still read by people.
const TS_EXPRESSIONS = new Set(['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression']);

const COMPARISON = new Set(['===', '!==', '==', '!=']);

function placeholderName(source: string, used: Set<string>): string {
  const match = /([A-Za-z_$][\w$]*)\s*(?:\)|\?\.|\.length)?\s*$/.exec(source.replace(/\([^()]*\)$/, ''));
  let base = match?.[1]?.replace(/^\$/, '') ?? 'value';
  if (/^(?:toLocaleString|toFixed|format\w*|length|String|Number)$/.test(base)) base = 'value';
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}${i}`;
  used.add(name);
  return name;
}

function walk(node: unknown, visit: (node: Node, parent: Node | null, key: string) => boolean | void, parent: Node | null = null, key = ''): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit, parent, key);
    return;
  }
  const n = node as Node;
  if (typeof n.type === 'string') {
    if (visit(n, parent, key) === false) return;
  }
  for (const [k, v] of Object.entries(n)) {
    if (k === 'parent' || k === 'metadata' || k === 'loc') continue;
    if (v && typeof v === 'object') walk(v, visit, typeof n.type === 'string' ? n : parent, k);
  }
}

/** Literals (and templates without markup) in scripts and expressions that people read. */
function scriptStrings(file: string, source: string, root: unknown, found: FoundString[]): void {
  walk(root, (node, parent, key) => {
    if (
      (node.type.startsWith('TS') && !TS_EXPRESSIONS.has(node.type)) ||
      node.type === 'ImportDeclaration' ||
      (node.type === 'ExportNamedDeclaration' && key === 'source')
    )
      return false;
    if (node.type === 'BinaryExpression' && COMPARISON.has(node.operator as string)) return false;
    if (node.type === 'SwitchCase') {
      walk(node.consequent, (n, p, k) => visitLiteral(n, p, k));
      return false;
    }
    if (node.type === 'CallExpression') {
      const callee = source.slice((node.callee as Node).start, (node.callee as Node).end);
      if (
        /^(?:console\.\w+|t|tr|\$_|getContext|setContext|localStorage\.\w+|querySelector\w*|document\.\w+|addEventListener|removeEventListener|gql|graphql|window\.\w+|matchMedia)$/.test(
          callee,
        ) ||
        /\.(?:includes|startsWith|endsWith|querySelector\w*|matchMedia|getItem|setItem|addEventListener|get|has|set|delete|replace|split|match|test)$/.test(
          callee,
        )
      ) {
        return false;
      }
    }
    return visitLiteral(node, parent, key);
  });

  function visitLiteral(node: Node, parent: Node | null, key: string): boolean | void {
    if (node.type.startsWith('TS') && !TS_EXPRESSIONS.has(node.type)) return false;
    if (node.type === 'Property' && !node.computed && key !== 'value') {
      // visit only the value
    }
    if (parent?.type === 'Property' && key === 'key') return false;
    if (parent?.type === 'MemberExpression' && key === 'property') return false;
    if (node.type === 'Literal' && typeof node.value === 'string') {
      if (looksLikeProse(node.value)) found.push({ file, start: node.start, end: node.end, text: node.value, values: [], kind: 'literal' });
      return false;
    }
    if (node.type === 'TemplateLiteral') {
      if (parent?.type === 'TaggedTemplateExpression') return false;
      const quasis = node.quasis as { value: { cooked: string } }[];
      const expressions = node.expressions as Node[];
      if (!looksLikeTemplateProse(quasis.map((q) => q.value.cooked))) return;
      // Nested prose inside the interpolations is handled on its own first.
      const nested: FoundString[] = [];
      for (const e of expressions) scriptStrings(file, source, e, nested);
      if (nested.length > 0) {
        found.push(...nested);
        return false;
      }
      const used = new Set<string>();
      const values: [string, string][] = [];
      let text = '';
      quasis.forEach((q, i) => {
        text += q.value.cooked;
        const e = expressions[i];
        if (e) {
          const expr = source.slice(e.start, e.end);
          const name = placeholderName(expr, used);
          values.push([name, expr]);
          text += `{${name}}`;
        }
      });
      found.push({ file, start: node.start, end: node.end, text, values, kind: 'literal' });
      return false;
    }
  }
}

/** All user-facing English in one .svelte or .ts source. */
export function scanSource(file: string, source: string): FoundString[] {
  const found: FoundString[] = [];
  if (file.endsWith('.ts')) {
    const prefix = '<script lang="ts">';
    const wrapped = `${prefix}${source}</script>`;
    const ast = parse(wrapped, { modern: true }) as unknown as { instance: { content: unknown } };
    const inner: FoundString[] = [];
    scriptStrings(file, wrapped, ast.instance.content, inner);
    return withoutIgnored(
      source,
      inner.map((f) => ({ ...f, start: f.start - prefix.length, end: f.end - prefix.length })),
    );
  }
  const ast = parse(source, { modern: true }) as unknown as {
    instance?: { content: unknown };
    module?: { content: unknown };
    fragment: unknown;
    css?: unknown;
  };
  if (ast.module) scriptStrings(file, source, ast.module.content, found);
  if (ast.instance) scriptStrings(file, source, ast.instance.content, found);
  markup(file, source, ast.fragment, found);
  return withoutIgnored(source, found);
}

/** Drops duplicates and strings on a line marked `i18n-ignore` (technical values that read like words). */
function withoutIgnored(source: string, found: FoundString[]): FoundString[] {
  const lines = source.split('\n');
  const seen = new Set<string>();
  return found
    .filter((f) => {
      const id = `${f.start}:${f.end}`;
      if (seen.has(id)) return false;
      seen.add(id);
      const line = source.slice(0, f.start).split('\n').length - 1;
      return !/i18n-ignore/.test(lines[line] ?? '') && !/i18n-ignore/.test(lines[line - 1] ?? '');
    })
    .sort((a, b) => a.start - b.start);
}

function markup(file: string, source: string, fragment: unknown, found: FoundString[]): void {
  walk(fragment, (node) => {
    if (node.type === 'Fragment') {
      sequences(file, source, node.nodes as Node[], found);
      return;
    }
    if (node.type === 'StyleSheet' || node.type === 'Script') return false;
    if (node.type === 'ExpressionTag' || node.type === 'RenderTag' || node.type === 'ConstTag') {
      scriptStrings(file, source, node.expression, found);
      return false;
    }
    if (['IfBlock', 'EachBlock', 'AwaitBlock', 'KeyBlock'].includes(node.type)) {
      for (const k of ['test', 'expression']) if (node[k]) scriptStrings(file, source, node[k], found);
    }
    if (node.type === 'Attribute') {
      const name = node.name as string;
      const value = node.value;
      if (value === true) return false;
      if (!Array.isArray(value)) {
        scriptStrings(file, source, (value as Node).expression, found);
        return false;
      }
      if (TECHNICAL_ATTRIBUTES.has(name) || name.startsWith('on') || name.startsWith('bind:')) return false;
      const parts = value as Node[];
      const words = parts
        .filter((p) => p.type === 'Text')
        .map((p) => p.data as string)
        .join(' ');
      // A single token with digits or punctuation (sk-..., gpt-4o) is an example value, not a word.
      if (!looksLikeMarkupProse(words) || /^[\w-]*[-_.\d][\w.-]*(?:\.\.\.|…)?$/.test(words.trim())) return false;
      // An example URL or a list of field names (`top_p, metadata`) is a value to type, not a sentence.
      if (/^https?:\/\/\S+$/.test(words.trim()) || (/_/.test(words) && /^[a-z][\w.-]*(?:,\s*[a-z][\w.-]*)+$/.test(words.trim()))) return false;
      const used = new Set<string>();
      const values: [string, string][] = [];
      let text = '';
      for (const p of parts) {
        if (p.type === 'Text') text += p.data as string;
        else {
          const e = p.expression as Node;
          const expr = source.slice(e.start, e.end);
          const placeholder = placeholderName(expr, used);
          values.push([placeholder, expr]);
          text += `{${placeholder}}`;
        }
      }
      found.push({ file, start: node.start, end: node.end, text: text.replace(/\s+/g, ' ').trim(), values, kind: 'attribute', attribute: name });
      return false;
    }
    if (['SpreadAttribute', 'OnDirective', 'BindDirective', 'ClassDirective', 'StyleDirective', 'UseDirective', 'AttachTag'].includes(node.type)) {
      if (node.expression) scriptStrings(file, source, node.expression, found);
      return false;
    }
  });
}

/** Runs of text and {expressions} that read as one sentence become one message with placeholders. */
function sequences(file: string, source: string, nodes: Node[], found: FoundString[]): void {
  let run: Node[] = [];
  const flush = () => {
    const texts = run.filter((n) => n.type === 'Text');
    const words = texts.map((n) => n.data as string).join(' ');
    if (run.length > 0 && looksLikeMarkupProse(words)) {
      const exprs = run.filter((n) => n.type === 'ExpressionTag');
      const nested: FoundString[] = [];
      for (const e of exprs) scriptStrings(file, source, e.expression, nested);
      if (nested.length > 0 || exprs.length > 3) {
        // Translate the pieces separately.
        found.push(...nested);
        for (const n of run) if (n.type === 'Text' && looksLikeMarkupProse(n.data as string)) found.push(textNode(file, n));
      } else {
        // Trim leading/trailing whitespace and expression-only edges out of the message.
        let first = 0;
        let last = run.length - 1;
        while (run[first].type === 'ExpressionTag' || !(run[first].data as string).trim()) first++;
        while (run[last].type === 'ExpressionTag' || !(run[last].data as string).trim()) last--;
        const slice = run.slice(first, last + 1);
        const used = new Set<string>();
        const values: [string, string][] = [];
        let text = '';
        for (const n of slice) {
          if (n.type === 'Text') text += n.data as string;
          else {
            const e = n.expression as Node;
            const expr = source.slice(e.start, e.end);
            const placeholder = placeholderName(expr, used);
            values.push([placeholder, expr]);
            text += `{${placeholder}}`;
          }
        }
        const head = slice[0];
        const tail = slice[slice.length - 1];
        const lead = (head.raw as string).length - (head.raw as string).trimStart().length;
        const trail = (tail.raw as string).length - (tail.raw as string).trimEnd().length;
        found.push({ file, start: head.start + lead, end: tail.end - trail, text: text.replace(/\s+/g, ' ').trim(), values, kind: 'text' });
      }
    } else {
      for (const n of run) if (n.type === 'ExpressionTag') scriptStrings(file, source, n.expression, found);
    }
    run = [];
  };
  for (const n of nodes) {
    if (n.type === 'Text' || n.type === 'ExpressionTag') run.push(n);
    else flush();
  }
  flush();
}

function textNode(file: string, n: Node): FoundString {
  const raw = n.raw as string;
  const lead = raw.length - raw.trimStart().length;
  const trail = raw.length - raw.trimEnd().length;
  return { file, start: n.start + lead, end: n.end - trail, text: (n.data as string).replace(/\s+/g, ' ').trim(), values: [], kind: 'text' };
}

/** Every .svelte and .ts file of the admin UI (generated GraphQL types and tests excluded). */
export function clientSourceFiles(clientSrc: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (['graphql-generated', 'generated', 'gql', 'i18n'].includes(entry.name)) continue;
        visit(full);
      } else if (/\.(svelte|ts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
    }
  };
  visit(clientSrc);
  return out.sort();
}

export function scanFile(file: string): FoundString[] {
  return scanSource(file, readFileSync(file, 'utf8'));
}
