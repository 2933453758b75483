export type { CompiledRule, FiredRule, RuleDefinition, RuleKind } from './types.js';
export { RULE_KINDS } from './types.js';
export { applyPromptRules } from './apply.js';
export { compileRule, compileRules, type StoredRule } from './compile.js';
export { RuleConfigError } from './safe-regex.js';
