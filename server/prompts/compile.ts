import { compileSafeRegex, escapeLiteral, MAX_REGEX_INPUT } from './safe-regex.js';
import type { CompiledRule, ReplaceConfig, RuleDefinition, TextReplacer } from './types.js';
import { parseRuleConfig } from './validate.js';

/** A stored rule row, as the snapshot reads it. */
export interface StoredRule {
  id: string;
  kind: string;
  config: unknown;
  enabled: boolean;
}

/** Validates and compiles one rule; throws RuleConfigError on a bad config or pattern. */
export function compileRule(rule: StoredRule | RuleDefinition, fallbackId = 'rule'): CompiledRule {
  const parsed = parseRuleConfig(rule.kind, 'config' in rule ? rule.config : undefined);
  const id = rule.id ?? fallbackId;
  if (parsed.kind !== 'replace') return { ...parsed, id };
  return { ...parsed, id, replacer: buildReplacer(parsed.config) };
}

/**
 * The enabled rules of a virtual model, in order, compiled. A rule that no longer
 * compiles (stored before a validation change) is skipped and reported.
 */
export function compileRules(rules: StoredRule[], onInvalid: (rule: StoredRule, error: Error) => void = () => {}): CompiledRule[] {
  const out: CompiledRule[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    try {
      out.push(compileRule(rule));
    } catch (error) {
      onInvalid(rule, error as Error);
    }
  }
  return out;
}

function buildReplacer(config: ReplaceConfig): TextReplacer {
  const { match, replacement } = config;
  if (!config.regex && config.caseSensitive) {
    // Literal text: `$` in the replacement stays literal.
    return { replace: (text) => (text.includes(match) ? text.split(match).join(replacement) : text) };
  }
  const pattern = config.regex ? match : escapeLiteral(match);
  const re = compileSafeRegex(pattern, config.caseSensitive, 'config.match');
  if (!config.regex) return { replace: (text) => text.replace(re as unknown as RegExp, () => replacement) };
  return {
    replace: (text) => (text.length > MAX_REGEX_INPUT ? text : text.replace(re as unknown as RegExp, replacement)),
  };
}
