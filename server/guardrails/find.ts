import type { RE2 } from 're2-wasm';
import { compileSafeRegex, escapeLiteral, MAX_REGEX_INPUT } from '../prompts/safe-regex.js';
import type { GuardrailEntry } from '../snapshot/guardrail-entry.js';
import { detectors as detectorsOf, isDetectorName, type Detector } from './detectors.js';

/** A value found in a text: [start, end) in UTF-16 units, and the placeholder label of what found it. */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** Finds the values one guardrail looks for in a text; spans sorted and not overlapping. */
export type Finder = (text: string) => Span[];

/** Custom patterns and words are labelled by the admin; detectors by their kind. */
export const WORD_LABEL = 'WORD';

const edge = (word: string, at: 'start' | 'end') => /[A-Za-z0-9_]/.test(at === 'start' ? word[0] : word[word.length - 1]);

/**
 * A word list as one case-insensitive alternation of literals (linear to scan).
 * An ASCII word must stand on its own ("ban" does not match "banana"); text in
 * scripts without spaces (Chinese) matches anywhere.
 */
export function wordPattern(words: readonly string[]): RegExp | undefined {
  const list = [...new Set(words.map((w) => w.trim()).filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!list.length) return undefined;
  const parts = list.map((w) => `${edge(w, 'start') ? '(?<![A-Za-z0-9_])' : ''}${escapeLiteral(w)}${edge(w, 'end') ? '(?![A-Za-z0-9_])' : ''}`);
  return new RegExp(parts.join('|'), 'giu');
}

function detectorSpans(d: Detector, text: string, out: Span[]): void {
  if (!d.precheck(text)) return;
  if (d.scan) return d.scan(text, (start, end) => void out.push({ start, end, label: d.label }));
  const re = d.pattern!;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!d.valid || d.valid(m[0])) out.push({ start: m.index, end: m.index + m[0].length, label: d.label });
  }
}

const ASTRAL = /[\uD800-\uDFFF]/;

/**
 * RE2 reports match positions in code points; spans are in UTF-16 units. The
 * same only while the text has no characters outside the BMP (emoji), so the
 * conversion walks forward once, from match to match, only when it must.
 */
function unitIndexer(text: string): (codePoints: number) => number {
  let cp = 0;
  let unit = 0;
  return (target) => {
    while (cp < target && unit < text.length) {
      const c = text.charCodeAt(unit);
      unit += c >= 0xd800 && c <= 0xdbff && unit + 1 < text.length ? 2 : 1;
      cp++;
    }
    return unit;
  };
}

function regexSpans(re: RegExp | RE2, label: string, text: string, out: Span[]): void {
  const toUnits = re instanceof RegExp || !ASTRAL.test(text) ? undefined : unitIndexer(text);
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const found = m[0] ?? '';
    if (found.length === 0) {
      re.lastIndex++;
      continue;
    }
    const start = toUnits ? toUnits(m.index) : m.index;
    out.push({ start, end: start + found.length, label });
  }
}

/** Sorted by start; where two overlap, the one that starts first (then the longer) wins. */
function disjoint(spans: Span[]): Span[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  let end = -1;
  for (const s of spans) {
    if (s.start < end) continue;
    out.push(s);
    end = s.end;
  }
  return out;
}

/**
 * Compiles what a guardrail looks for. Detectors run first, in their fixed
 * order, then custom RE2 patterns (linear time; skipped on texts longer than
 * the prompt rules' regex cap), then the word list.
 */
export function compileFinder(entry: Pick<GuardrailEntry, 'detectors' | 'patterns' | 'words'>): Finder {
  const detectors = entry.detectors.filter(isDetectorName).flatMap(detectorsOf);
  const patterns = entry.patterns.map((p, i) => ({ label: p.label, re: compileSafeRegex(p.pattern, p.caseSensitive, `patterns.${i}.pattern`) }));
  const words = wordPattern(entry.words);
  return (text) => {
    const spans: Span[] = [];
    for (const d of detectors) detectorSpans(d, text, spans);
    if (text.length <= MAX_REGEX_INPUT) for (const p of patterns) regexSpans(p.re, p.label, text, spans);
    if (words) regexSpans(words, WORD_LABEL, text, spans);
    return disjoint(spans);
  };
}
