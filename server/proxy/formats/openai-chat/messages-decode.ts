import { invalidRequest } from '../../../core/index.js';
import type { ContentPart, ImagePart, Message, OpaquePart, TextPart } from '../../../core/index.js';
import { splitCallId } from '../shared/call-ids.js';
import { optString, requireArray, requireOneOf, requireRecord, requireString } from './validate.js';

/** Chat Completions `messages[]` → canonical messages, validating as OpenAI does. */

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

export function decodeMessages(value: unknown): Message[] {
  if (value === undefined) throw invalidRequest("Missing required parameter: 'messages'.", 'messages');
  const list = requireArray(value, 'messages');
  if (list.length === 0) throw invalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages');
  return list.map((raw, i) => decodeMessage(raw, `messages[${i}]`));
}

function decodeMessage(raw: unknown, path: string): Message {
  const m = requireRecord(raw, path);
  if (m.role === undefined) throw invalidRequest(`Missing required parameter: '${path}.role'.`, `${path}.role`);
  const role = requireOneOf(m.role, ROLES, `${path}.role`);
  const name = optString(m.name, `${path}.name`);
  const message: Message = { role, content: [] };
  if (name !== undefined) message.name = name;

  switch (role) {
    case 'system':
    case 'developer':
      message.content = textOnly(m.content, `${path}.content`, true);
      break;
    case 'user':
      message.content = userContent(m.content, `${path}.content`);
      break;
    case 'assistant':
      message.content = assistantContent(m, path);
      break;
    case 'tool': {
      const toolCallId = splitCallId(requireString(m.tool_call_id ?? missing(`${path}.tool_call_id`), `${path}.tool_call_id`)).id;
      message.content = [{ type: 'tool_result', toolCallId, content: textOnly(m.content, `${path}.content`, true) }];
      break;
    }
  }
  return message;
}

function missing(param: string): never {
  throw invalidRequest(`Missing required parameter: '${param}'.`, param);
}

function textOnly(value: unknown, path: string, required: boolean): TextPart[] {
  if (value === undefined || value === null) {
    if (required) missing(path);
    return [];
  }
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  return requireArray(value, path).map((raw, i) => {
    const part = requireRecord(raw, `${path}[${i}]`);
    requireOneOf(part.type, ['text'], `${path}[${i}].type`);
    return { type: 'text', text: requireString(part.text, `${path}[${i}].text`) };
  });
}

function userContent(value: unknown, path: string): Array<TextPart | ImagePart | OpaquePart> {
  if (value === undefined || value === null) missing(path);
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  return requireArray(value, path).map((raw, i) => {
    const p = `${path}[${i}]`;
    const part = requireRecord(raw, p);
    const type = requireString(part.type, `${p}.type`);
    if (type === 'text') return { type: 'text', text: requireString(part.text, `${p}.text`) } satisfies TextPart;
    if (type === 'image_url') return decodeImageUrl(part.image_url, `${p}.image_url`);
    // input_audio, file and future parts: a Chat upstream gets them as sent.
    return { type: 'opaque', format: 'openai-chat', itemType: type, raw: part, inContent: true } satisfies OpaquePart;
  });
}

/** `image_url: { url, detail? }`; a `data:` URL becomes an inline base64 source. */
export function decodeImageUrl(value: unknown, path: string): ImagePart {
  const image = requireRecord(value, path);
  const url = requireString(image.url, `${path}.url`);
  const detail = optString(image.detail, `${path}.detail`);
  const part: ImagePart = { type: 'image', source: parseImageUrl(url, `${path}.url`) };
  if (detail !== undefined) part.detail = detail;
  return part;
}

export function parseImageUrl(url: string, param: string): ImagePart['source'] {
  if (!url.startsWith('data:')) return { kind: 'url', url };
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match) throw invalidRequest(`Invalid '${param}': expected a base64 data URL (data:<media type>;base64,<data>).`, param);
  return { kind: 'base64', mediaType: match[1], data: match[2] };
}

function assistantContent(m: Record<string, unknown>, path: string): ContentPart[] {
  const parts: ContentPart[] = [];
  // DeepSeek / OpenRouter convention: prior reasoning sent back on assistant turns.
  const reasoning = optString(m.reasoning_content ?? m.reasoning, `${path}.reasoning_content`);
  if (reasoning) parts.push({ type: 'reasoning', text: reasoning });
  const content = m.content;
  if (typeof content === 'string') {
    if (content !== '') parts.push({ type: 'text', text: content });
  } else if (content !== undefined && content !== null) {
    requireArray(content, `${path}.content`).forEach((raw, i) => {
      const p = `${path}.content[${i}]`;
      const part = requireRecord(raw, p);
      const type = requireOneOf(part.type, ['text', 'refusal'], `${p}.type`);
      const text = requireString(type === 'text' ? part.text : part.refusal, `${p}.${type}`);
      parts.push({ type: 'text', text });
    });
  }
  const refusal = optString(m.refusal, `${path}.refusal`);
  if (refusal) parts.push({ type: 'text', text: refusal });
  if (m.tool_calls !== undefined && m.tool_calls !== null) {
    requireArray(m.tool_calls, `${path}.tool_calls`).forEach((raw, i) => {
      const p = `${path}.tool_calls[${i}]`;
      const call = requireRecord(raw, p);
      const type = requireOneOf(call.type ?? 'function', ['function', 'custom'], `${p}.type`);
      if (type === 'custom') {
        const custom = requireRecord(call.custom, `${p}.custom`);
        const { id, signature } = splitCallId(requireString(call.id, `${p}.id`));
        parts.push({
          type: 'tool_call',
          id,
          name: requireString(custom.name, `${p}.custom.name`),
          arguments: requireString(custom.input, `${p}.custom.input`),
          kind: 'custom',
          ...(signature !== undefined && { signature }),
        });
        return;
      }
      const fn = requireRecord(call.function, `${p}.function`);
      const { id, signature } = splitCallId(requireString(call.id, `${p}.id`));
      parts.push({
        type: 'tool_call',
        id,
        name: requireString(fn.name, `${p}.function.name`),
        arguments: requireString(fn.arguments ?? '', `${p}.function.arguments`),
        ...(signature !== undefined && { signature }),
      });
    });
  }
  if (parts.length === 0 && m.content === undefined) missing(`${path}.content`);
  return parts;
}
