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
  { value: 'REPLACE', label: 'Replace text', hint: 'Find text (or a regular expression) in system and/or user messages and replace it.' },
  { value: 'PREPEND', label: 'Prepend text', hint: 'Add text before the system prompt or the last user message.' },
  { value: 'APPEND', label: 'Append text', hint: 'Add text after the system prompt or the last user message.' },
  { value: 'SET_SYSTEM', label: 'Set system message', hint: 'Replace the system prompt, or add one when the request has none.' },
  { value: 'REMOVE_SYSTEM', label: 'Remove system message', hint: 'Drop every system and developer message.' },
  { value: 'INJECT_MESSAGE', label: 'Inject message', hint: 'Add a message at the start (after the system prompt) or the end.' },
];

export const FORMATS: { value: ClientFormat; label: string }[] = [
  { value: 'CHAT_COMPLETIONS', label: 'Chat Completions (/v1/chat/completions)' },
  { value: 'RESPONSES', label: 'Responses (/v1/responses)' },
  { value: 'MESSAGES', label: 'Anthropic Messages (/v1/messages)' },
];

export const SAMPLES: Record<ClientFormat, object> = {
  CHAT_COMPLETIONS: { model: 'my-model', messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Hello!' }] },
  RESPONSES: { model: 'my-model', instructions: 'You are a helpful assistant.', input: 'Hello!' },
  MESSAGES: { model: 'my-model', max_tokens: 256, system: 'You are a helpful assistant.', messages: [{ role: 'user', content: 'Hello!' }] },
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
    default:
      return input;
  }
}

const clip = (text: string, n = 60) => (text.length > n ? `${text.slice(0, n)}…` : text);

export function summaryOf(rule: RuleRow): string {
  switch (rule.kind) {
    case 'REPLACE':
      return `${rule.regex ? '/' + clip(rule.match ?? '', 40) + '/' : `“${clip(rule.match ?? '', 40)}”`} → “${clip(rule.replacement ?? '', 30)}” in ${(rule.scope ?? []).map((s) => s.toLowerCase()).join(' + ')}${rule.caseSensitive === false ? ', any case' : ''}`;
    case 'PREPEND':
    case 'APPEND':
      return `${rule.target === 'LAST_USER' ? 'last user message' : 'system prompt'}: “${clip(rule.text ?? '')}”`;
    case 'SET_SYSTEM':
      return `“${clip(rule.text ?? '')}”`;
    case 'INJECT_MESSAGE':
      return `${(rule.role ?? 'USER').toLowerCase()} at ${(rule.at ?? 'END').toLowerCase()}: “${clip(rule.text ?? '')}”`;
    default:
      return 'system and developer messages';
  }
}

export const kindLabel = (kind: PromptRuleKind) => KINDS.find((k) => k.value === kind)?.label ?? kind;
