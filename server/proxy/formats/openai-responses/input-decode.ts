import { invalidRequest } from '../../../core/index.js';
import type { ImagePart, Message, OpaquePart, ReasoningPart, TextPart, ToolCallPart, ToolResultPart } from '../../../core/index.js';
import { splitCallId } from '../shared/call-ids.js';
import { unpackThinking } from '../shared/reasoning-state.js';
import { parseImageUrl } from '../openai-chat/messages-decode.js';
import { optString, requireArray, requireOneOf, requireRecord, requireString } from '../openai-chat/validate.js';

/**
 * Responses `input` → canonical messages. Consecutive assistant-side items
 * (assistant message, reasoning, function and custom tool calls) gather into one
 * assistant turn, and consecutive tool outputs into one tool turn, so formats with
 * strict turn alternation (Anthropic, Gemini) receive a well-formed conversation.
 * Item and content types the gateway does not translate (tool_search_call,
 * local_shell_call, web_search_call, compaction, input_file, future ones) are kept
 * opaque in order: a Responses upstream gets them back verbatim.
 */
export function decodeInput(value: unknown): Message[] {
  if (value === undefined || value === null) throw invalidRequest("Missing required parameter: 'input'.", 'input');
  if (typeof value === 'string') return [{ role: 'user', content: [{ type: 'text', text: value }] }];
  const items = requireArray(value, 'input');
  const messages: Message[] = [];
  const toolNames = new Map<string, string>();
  const turn = (role: 'assistant' | 'tool'): Message => {
    const last = messages[messages.length - 1];
    if (last?.role === role) return last;
    const message: Message = { role, content: [] };
    messages.push(message);
    return message;
  };

  items.forEach((raw, i) => {
    const path = `input[${i}]`;
    const item = requireRecord(raw, path);
    const type = item.type ?? 'message';
    if (typeof type !== 'string') throw invalidRequest(`Invalid type for '${path}.type': expected a string.`, `${path}.type`);
    switch (type) {
      case 'message': {
        const role = requireOneOf(item.role, ['user', 'assistant', 'system', 'developer'], `${path}.role`);
        const content = decodeContent(item.content, `${path}.content`);
        if (role === 'assistant') turn('assistant').content.push(...content);
        else messages.push({ role, content });
        break;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const custom = type === 'custom_tool_call';
        const { id, signature } = splitCallId(requireString(item.call_id, `${path}.call_id`));
        const name = requireString(item.name, `${path}.name`);
        toolNames.set(id, name);
        const part: ToolCallPart = {
          type: 'tool_call',
          id,
          name,
          arguments: custom ? requireString(item.input, `${path}.input`) : requireString(item.arguments, `${path}.arguments`),
        };
        if (custom) part.kind = 'custom';
        const namespace = optString(item.namespace, `${path}.namespace`);
        if (namespace !== undefined) part.namespace = namespace;
        if (signature !== undefined) part.signature = signature;
        turn('assistant').content.push(part);
        break;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const toolCallId = splitCallId(requireString(item.call_id, `${path}.call_id`)).id;
        const part: ToolResultPart = { type: 'tool_result', toolCallId, content: decodeOutput(item.output, `${path}.output`) };
        if (type === 'custom_tool_call_output') part.kind = 'custom';
        const toolName = toolNames.get(toolCallId);
        if (toolName !== undefined) part.toolName = toolName;
        turn('tool').content.push(part);
        break;
      }
      case 'reasoning':
        turn('assistant').content.push(decodeReasoning(item, path));
        break;
      default: {
        // Outputs of hosted or client-run tools answer the model like tool results do.
        const opaque: OpaquePart = { type: 'opaque', format: 'openai-responses', itemType: type, raw: item };
        turn(type.endsWith('_output') ? 'tool' : 'assistant').content.push(opaque);
      }
    }
  });
  return messages;
}

/**
 * A reasoning item: its readable summary (or reasoning text), and the encrypted
 * state OpenAI issued for stateless turns (`include: ["reasoning.encrypted_content"]`),
 * which only a Responses upstream can read back.
 */
function decodeReasoning(item: Record<string, unknown>, path: string): ReasoningPart {
  const summary = item.summary === undefined || item.summary === null ? [] : requireArray(item.summary, `${path}.summary`);
  const content: unknown[] = Array.isArray(item.content) ? item.content : [];
  const text = [...summary, ...content]
    .map((s) => (s !== null && typeof s === 'object' && typeof (s as Record<string, unknown>).text === 'string' ? (s as Record<string, string>).text : ''))
    .filter(Boolean)
    .join('\n\n');
  const part: ReasoningPart = { type: 'reasoning', text };
  const encrypted = optString(item.encrypted_content, `${path}.encrypted_content`);
  // Anthropic thinking the gateway handed out earlier becomes a thinking block again.
  const thinking = encrypted === undefined ? undefined : unpackThinking(encrypted);
  if (thinking) return { type: 'reasoning', ...thinking };
  if (encrypted !== undefined) {
    part.encryptedContent = encrypted;
    if (typeof item.id === 'string') part.itemId = item.id;
  }
  return part;
}

function decodeContent(value: unknown, path: string): Array<TextPart | ImagePart | OpaquePart> {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  return requireArray(value, path).map((raw, i) => decodePart(raw, `${path}[${i}]`));
}

function decodePart(raw: unknown, path: string): TextPart | ImagePart | OpaquePart {
  const part = requireRecord(raw, path);
  const type = requireString(part.type, `${path}.type`);
  switch (type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: requireString(part.text, `${path}.text`) };
    case 'refusal':
      return { type: 'text', text: requireString(part.refusal, `${path}.refusal`) };
    case 'input_image':
      if (part.image_url !== undefined && part.image_url !== null) return decodeImage(part, path);
      return { type: 'opaque', format: 'openai-responses', itemType: type, raw: part, inContent: true };
    default:
      // input_file, input_audio and future parts.
      return { type: 'opaque', format: 'openai-responses', itemType: type, raw: part, inContent: true };
  }
}

function decodeImage(part: Record<string, unknown>, path: string): ImagePart {
  const url = requireString(part.image_url, `${path}.image_url`);
  const image: ImagePart = { type: 'image', source: parseImageUrl(url, `${path}.image_url`) };
  const detail = optString(part.detail, `${path}.detail`);
  if (detail !== undefined) image.detail = detail;
  return image;
}

function decodeOutput(value: unknown, path: string): Array<TextPart | ImagePart | OpaquePart> {
  if (value === undefined || value === null) throw invalidRequest(`Missing required parameter: '${path}'.`, path);
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  return requireArray(value, path).map((raw, i) => decodePart(raw, `${path}[${i}]`));
}
