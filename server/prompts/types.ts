/**
 * Prompt rules: ordered rewrites a virtual model applies to every request's
 * canonical form, whatever client API it came through. Stored as PromptRule
 * rows (`kind` + JSON `config`); compiled once per snapshot build.
 */

export const RULE_KINDS = ['replace', 'prepend', 'append', 'set_system', 'remove_system', 'inject_message'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** Which messages a replace rule reads: `system` covers system and developer messages. */
export type ReplaceScope = 'system' | 'user';

export interface ReplaceConfig {
  match: string;
  replacement: string;
  /** false: `match` is literal text. true: a regular expression (RE2 syntax; `$1` in the replacement). */
  regex: boolean;
  /** Default true. false matches regardless of letter case (literal and regex alike). */
  caseSensitive: boolean;
  scope: ReplaceScope[];
}

/** prepend / append: `system` = the first system (or developer) message, created when absent; `last_user` = the last user message. */
export interface EdgeTextConfig {
  text: string;
  target: 'system' | 'last_user';
}

export interface SetSystemConfig {
  text: string;
}

export interface InjectMessageConfig {
  role: 'system' | 'user' | 'assistant';
  text: string;
  /** start: after any leading system messages (the system prompt stays first); end: after the last message. */
  at: 'start' | 'end';
}

export type RuleConfig =
  | { kind: 'replace'; config: ReplaceConfig }
  | { kind: 'prepend' | 'append'; config: EdgeTextConfig }
  | { kind: 'set_system'; config: SetSystemConfig }
  | { kind: 'remove_system'; config: Record<string, never> }
  | { kind: 'inject_message'; config: InjectMessageConfig };

/** A rule as stored or as sent for a preview (id absent for unsaved rules). */
export type RuleDefinition = RuleConfig & { id?: string; enabled: boolean };

/** The matcher of a replace rule, built once. */
export interface TextReplacer {
  replace(text: string): string;
}

/** A rule ready to run: config validated, pattern compiled. */
export type CompiledRule = RuleConfig & { id: string; replacer?: TextReplacer };

/** What the request log keeps about each rule that changed a request. */
export interface FiredRule {
  id: string;
  kind: RuleKind;
}
