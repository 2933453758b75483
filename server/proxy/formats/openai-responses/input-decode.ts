import { invalidRequest } from '../../canonical/index.js';
import type { ContentPart, ImagePart, Message, TextPart } from '../../canonical/index.js';
import { parseImageUrl } from '../openai-chat/messages-decode.js';
import { optString, requireArray, requireOneOf, requireRecord, requireString } from '../openai-chat/validate.js';

/**
 * Responses `input` → canonical messages. Consecutive assistant-side items
 * (assistant message, reasoning, function_call) gather into one assistant turn,
 * and consecutive function_call_output items into one tool turn, so formats with
 * strict turn alternation (Anthropic, Gemini) receive a well-formed conversation.
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
    switch (type) {
      case 'message': {
        const role = requireOneOf(item.role, ['user', 'assistant', 'system', 'developer'], `${path}.role`);
        const content = decodeContent(item.content, `${path}.content`, role === 'assistant');
        if (role === 'assistant') turn('assistant').content.push(...content);
        else messages.push({ role, content });
        break;
      }
      case 'function_call': {
        const id = requireString(item.call_id, `${path}.call_id`);
        const name = requireString(item.name, `${path}.name`);
        toolNames.set(id, name);
        turn('assistant').content.push({ type: 'tool_call', id, name, arguments: requireString(item.arguments, `${path}.arguments`) });
        break;
      }
      case 'function_call_output': {
        const toolCallId = requireString(item.call_id, `${path}.call_id`);
        const part: ContentPart = { type: 'tool_result', toolCallId, content: decodeOutput(item.output, `${path}.output`) };
        const toolName = toolNames.get(toolCallId);
        if (toolName !== undefined) part.toolName = toolName;
        turn('tool').content.push(part);
        break;
      }
      case 'reasoning': {
        // Only the readable summary carries over; encrypted_content is bound to OpenAI and dropped.
        const summary = item.summary === undefined ? [] : requireArray(item.summary, `${path}.summary`);
        const text = summary
          .map((s, j) => requireString(requireRecord(s, `${path}.summary[${j}]`).text, `${path}.summary[${j}].text`))
          .join('\n\n');
        if (text) turn('assistant').content.push({ type: 'reasoning', text });
        break;
      }
      default:
        throw invalidRequest(
          `Input items of type ${JSON.stringify(type)} are not supported by this gateway; send message, function_call, function_call_output or reasoning items.`,
          `${path}.type`,
        );
    }
  });
  return messages;
}

function decodeContent(value: unknown, path: string, assistant: boolean): Array<TextPart | ImagePart> {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  const allowed = assistant ? (['output_text', 'refusal', 'input_text'] as const) : (['input_text', 'input_image', 'output_text'] as const);
  return requireArray(value, path).map((raw, i) => {
    const p = `${path}[${i}]`;
    const part = requireRecord(raw, p);
    if (part.type === 'input_file') throw invalidRequest('input_file content is not supported by this gateway.', `${p}.type`);
    const type = requireOneOf(part.type, allowed as readonly string[], `${p}.type`);
    if (type === 'input_image') return decodeImage(part, p);
    if (type === 'refusal') return { type: 'text', text: requireString(part.refusal, `${p}.refusal`) } satisfies TextPart;
    return { type: 'text', text: requireString(part.text, `${p}.text`) } satisfies TextPart;
  });
}

function decodeImage(part: Record<string, unknown>, path: string): ImagePart {
  if (part.image_url === undefined || part.image_url === null) {
    const reason = part.file_id !== undefined ? 'file_id images are not supported by this gateway; send image_url' : 'image_url is required';
    throw invalidRequest(`Invalid '${path}': ${reason}.`, `${path}.image_url`);
  }
  const url = requireString(part.image_url, `${path}.image_url`);
  const image: ImagePart = { type: 'image', source: parseImageUrl(url, `${path}.image_url`) };
  const detail = optString(part.detail, `${path}.detail`);
  if (detail !== undefined) image.detail = detail;
  return image;
}

function decodeOutput(value: unknown, path: string): Array<TextPart | ImagePart> {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  return requireArray(value, path).map((raw, i) => {
    const p = `${path}[${i}]`;
    const part = requireRecord(raw, p);
    const type = requireOneOf(part.type, ['input_text', 'input_image'], `${p}.type`);
    return type === 'input_image' ? decodeImage(part, p) : ({ type: 'text', text: requireString(part.text, `${p}.text`) } satisfies TextPart);
  });
}
