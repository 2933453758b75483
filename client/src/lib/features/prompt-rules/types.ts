import { tr } from '$lib/i18n';
import type {
  ClientFormat,
  PromptRuleInput,
  PromptRuleKind,
  PromptRulePosition,
  PromptRuleRole,
  PromptRuleScope,
  PromptRuleTarget,
  PromptRulesQuery,
} from '$lib/graphql/generated/graphql';

export type RuleRow = PromptRulesQuery['promptRules'][number];
export type { ClientFormat, PromptRuleKind };

/** A rule while it is edited: every setting as form state. */
export interface DraftRule {
  kind: PromptRuleKind;
  enabled: boolean;
  match: string;
  replacement: string;
  regex: boolean;
  caseSensitive: boolean;
  scope: PromptRuleScope[];
  text: string;
  target: PromptRuleTarget;
  role: PromptRuleRole;
  at: PromptRulePosition;
}

export const KINDS: { value: PromptRuleKind; label: string; hint: string }[] = [
  { value: 'REPLACE', label: tr('promptRulesTypes.replaceText'), hint: tr('promptRulesTypes.findTextOrARegular') },
  { value: 'PREPEND', label: tr('promptRulesTypes.prependText'), hint: tr('promptRulesTypes.addTextBeforeTheSystem') },
  { value: 'APPEND', label: tr('promptRulesTypes.appendText'), hint: tr('promptRulesTypes.addTextAfterTheSystem') },
  { value: 'SET_SYSTEM', label: tr('promptRulesTypes.setSystemMessage'), hint: tr('promptRulesTypes.replaceTheSystemPromptOr') },
  { value: 'REMOVE_SYSTEM', label: tr('promptRulesTypes.removeSystemMessage'), hint: tr('promptRulesTypes.dropEverySystemAndDeveloper') },
  { value: 'INJECT_MESSAGE', label: tr('promptRulesTypes.injectMessage'), hint: tr('promptRulesTypes.addAMessageAtThe') },
];

export const FORMATS: { value: ClientFormat; label: string }[] = [
  { value: 'CHAT_COMPLETIONS', label: tr('promptRulesTypes.chatCompletionsV1ChatCompletions') },
  { value: 'RESPONSES', label: tr('promptRulesTypes.responsesV1Responses') },
  { value: 'MESSAGES', label: tr('promptRulesTypes.anthropicMessagesV1Messages') },
];

export const SAMPLES: Record<ClientFormat, object> = {
  CHAT_COMPLETIONS: {
    model: 'my-model',
    messages: [
      { role: 'system', content: tr('promptRulesTypes.youAreAHelpfulAssistant') },
      { role: 'user', content: tr('promptRulesTypes.hello') },
    ],
  },
  RESPONSES: { model: 'my-model', instructions: tr('promptRulesTypes.youAreAHelpfulAssistant'), input: tr('promptRulesTypes.hello') },
  MESSAGES: {
    model: 'my-model',
    max_tokens: 256,
    system: tr('promptRulesTypes.youAreAHelpfulAssistant'),
    messages: [{ role: 'user', content: tr('promptRulesTypes.hello') }],
  },
};

export function emptyDraft(): DraftRule {
  return {
    kind: 'SET_SYSTEM',
    enabled: true,
    match: '',
    replacement: '',
    regex: false,
    caseSensitive: true,
    scope: ['SYSTEM', 'USER'],
    text: '',
    target: 'SYSTEM',
    role: 'USER',
    at: 'END',
  };
}

export function draftOf(row: RuleRow): DraftRule {
  const base = emptyDraft();
  return {
    kind: row.kind,
    enabled: row.enabled,
    match: row.match ?? base.match,
    replacement: row.replacement ?? base.replacement,
    regex: row.regex ?? base.regex,
    caseSensitive: row.caseSensitive ?? base.caseSensitive,
    scope: row.scope ?? base.scope,
    text: row.text ?? base.text,
    target: row.target ?? base.target,
    role: row.role ?? base.role,
    at: row.at ?? base.at,
  };
}

/** Only the settings the kind uses go to the API. */
export function inputOf(draft: DraftRule): PromptRuleInput {
  const input: PromptRuleInput = { kind: draft.kind, enabled: draft.enabled };
  switch (draft.kind) {
    case 'REPLACE':
      return { ...input, match: draft.match, replacement: draft.replacement, regex: draft.regex, caseSensitive: draft.caseSensitive, scope: draft.scope };
    case 'PREPEND':
    case 'APPEND':
      return { ...input, text: draft.text, target: draft.target };
    case 'SET_SYSTEM':
      return { ...input, text: draft.text };
    case 'INJECT_MESSAGE':
      return { ...input, text: draft.text, role: draft.role, at: draft.at };
    case 'REMOVE_SYSTEM':
      return input;
  }
}

const clip = (text: string, n = 60) => (text.length > n ? `${text.slice(0, n)}…` : text);

export function summaryOf(rule: RuleRow): string {
  switch (rule.kind) {
    case 'REPLACE':
      return `${rule.regex ? '/' + clip(rule.match ?? '', 40) + '/' : `“${clip(rule.match ?? '', 40)}”`} → “${clip(rule.replacement ?? '', 30)}” ${tr('promptRulesTypes.inScope', { scope: (rule.scope ?? []).map((s) => s.toLowerCase()).join(' + ') })}${rule.caseSensitive === false ? tr('promptRulesTypes.anyCase') : ''}`;
    case 'PREPEND':
    case 'APPEND':
      return `${rule.target === 'LAST_USER' ? tr('promptRulesTypes.lastUserMessage') : tr('promptRulesTypes.systemPrompt')}: “${clip(rule.text ?? '')}”`;
    case 'SET_SYSTEM':
      return `“${clip(rule.text ?? '')}”`;
    case 'INJECT_MESSAGE':
      return `${tr('promptRulesTypes.roleAt', { role: (rule.role ?? 'USER').toLowerCase(), at: (rule.at ?? 'END').toLowerCase() })}: “${clip(rule.text ?? '')}”`;
    case 'REMOVE_SYSTEM':
      return tr('promptRulesTypes.systemAndDeveloperMessages');
  }
}

export const kindLabel = (kind: PromptRuleKind) => KINDS.find((k) => k.value === kind)?.label ?? kind;
