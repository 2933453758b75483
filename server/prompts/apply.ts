import type { CanonicalRequest, ContentPart, Message } from '../core/index.js';
import type { CompiledRule, FiredRule } from './types.js';

/** Text added by prepend / append is joined to what is there by a blank line. */
const JOINER = '\n\n';

const isSystem = (m: Message): boolean => m.role === 'system' || m.role === 'developer';
const hasTextPart = (m: Message): boolean => m.content.some((p) => p.type === 'text');

/**
 * Runs a virtual model's rules on a request, in order, changing its messages in
 * place (the request belongs to this call). Only text parts of system,
 * developer and user messages are read or written: tool definitions, tool
 * calls, tool results, images and assistant turns stay as they are.
 * `request.instructions` (the Responses echo) is left alone: the client's own
 * value is what its response repeats. Returns the rules that changed something.
 */
export function applyPromptRules(rules: readonly CompiledRule[], request: CanonicalRequest): FiredRule[] {
  const fired: FiredRule[] = [];
  for (const rule of rules) {
    if (applyOne(rule, request.messages)) fired.push({ id: rule.id, kind: rule.kind });
  }
  return fired;
}

function applyOne(rule: CompiledRule, messages: Message[]): boolean {
  switch (rule.kind) {
    case 'replace': {
      const scope = new Set(rule.config.scope);
      let changed = false;
      for (const message of messages) {
        const inScope = isSystem(message) ? scope.has('system') : message.role === 'user' && scope.has('user');
        if (!inScope) continue;
        for (const part of message.content) {
          if (part.type !== 'text') continue;
          const next = rule.replacer!.replace(part.text);
          if (next !== part.text) {
            part.text = next;
            changed = true;
          }
        }
      }
      return changed;
    }
    case 'prepend':
    case 'append': {
      const { text, target } = rule.config;
      const atStart = rule.kind === 'prepend';
      if (target === 'system') {
        const system = messages.find(isSystem);
        if (!system) messages.unshift(textMessage('system', text));
        else addText(system, text, atStart);
        return true;
      }
      const user = findLast(messages, (m) => m.role === 'user' && hasTextPart(m));
      if (!user) return false;
      addText(user, text, atStart);
      return true;
    }
    case 'set_system': {
      const system = messages.find(isSystem);
      if (!system) messages.unshift(textMessage('system', rule.config.text));
      else system.content = [{ type: 'text', text: rule.config.text }];
      return true;
    }
    case 'remove_system': {
      const kept = messages.filter((m) => !isSystem(m));
      if (kept.length === messages.length) return false;
      messages.splice(0, messages.length, ...kept);
      return true;
    }
    case 'inject_message': {
      const { role, text, at } = rule.config;
      const message = textMessage(role, text);
      if (at === 'end') messages.push(message);
      else if (role === 'system') messages.unshift(message);
      else {
        let index = 0;
        while (index < messages.length && isSystem(messages[index])) index++;
        messages.splice(index, 0, message);
      }
      return true;
    }
  }
}

function textMessage(role: Message['role'], text: string): Message {
  return { role, content: [{ type: 'text', text }] };
}

/** Adds text to the first (prepend) or last (append) text part, or as a new part when there is none. */
function addText(message: Message, text: string, atStart: boolean): void {
  const parts = message.content;
  const index = atStart ? parts.findIndex((p) => p.type === 'text') : findLastIndex(parts, (p) => p.type === 'text');
  if (index === -1) {
    const part: ContentPart = { type: 'text', text };
    if (atStart) parts.unshift(part);
    else parts.push(part);
    return;
  }
  const part = parts[index] as { text: string };
  part.text = atStart ? (part.text ? text + JOINER + part.text : text) : part.text ? part.text + JOINER + text : text;
}

function findLast<T>(items: T[], test: (item: T) => boolean): T | undefined {
  const i = findLastIndex(items, test);
  return i === -1 ? undefined : items[i];
}

function findLastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i;
  return -1;
}
