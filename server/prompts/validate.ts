import { z } from 'zod';
import { RULE_KINDS, type RuleConfig, type RuleKind } from './types.js';
import { RuleConfigError } from './safe-regex.js';

/** Longest text a rule may add or use as a replacement (characters). */
export const MAX_RULE_TEXT = 100_000;

const text = z.string().max(MAX_RULE_TEXT, `may be at most ${MAX_RULE_TEXT} characters`);
const nonEmptyText = text.min(1, 'must not be empty');

const schemas = {
  replace: z.object({
    match: z.string().min(1, 'must not be empty').max(MAX_RULE_TEXT),
    replacement: text.default(''),
    regex: z.boolean().default(false),
    caseSensitive: z.boolean().default(true),
    scope: z
      .array(z.enum(['system', 'user']))
      .min(1, 'choose system and/or user messages')
      .default(['system', 'user'])
      .transform((s) => [...new Set(s)]),
  }),
  prepend: z.object({ text: nonEmptyText, target: z.enum(['system', 'last_user']).default('system') }),
  append: z.object({ text: nonEmptyText, target: z.enum(['system', 'last_user']).default('system') }),
  set_system: z.object({ text: nonEmptyText }),
  remove_system: z.object({}).transform(() => ({}) as Record<string, never>),
  inject_message: z.object({
    role: z.enum(['system', 'user', 'assistant']).default('user'),
    text: nonEmptyText,
    at: z.enum(['start', 'end']).default('end'),
  }),
} satisfies Record<RuleKind, z.ZodType>;

/**
 * Checks a rule's kind and config; throws RuleConfigError naming the field
 * (`config.match`, …). Unknown config keys are dropped. Regex patterns are
 * checked by compiling them (see compile.ts).
 */
export function parseRuleConfig(kind: string, config: unknown): RuleConfig {
  if (!(RULE_KINDS as readonly string[]).includes(kind)) {
    throw new RuleConfigError(`kind: unknown rule kind "${kind}" (one of ${RULE_KINDS.join(', ')})`, 'kind');
  }
  const result = schemas[kind as RuleKind].safeParse(config ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = ['config', ...issue.path.map(String)].join('.');
    throw new RuleConfigError(`${path}: ${issue.message}`, path);
  }
  return { kind, config: result.data } as RuleConfig;
}
