import type { CanonicalRequest, ContentPart, Message, UpstreamTarget } from '../../canonical/index.js';
import { imageUrl } from '../openai-chat/request-encode.js';
import { encodeFormat, encodeToolChoice } from './response-encode.js';

/**
 * Canonical request → Responses body, for upstreams that speak only Responses.
 * Leading system / developer messages become `instructions`; later ones become
 * developer items. Assistant tool calls become function_call items and tool
 * results function_call_output items. Chat-only knobs (stop, seed, penalties)
 * have no Responses field and are left out rather than failing the request.
 */
export function encodeResponsesRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown> {
  const body: Record<string, unknown> = { model: target.upstreamModel };
  let start = 0;
  const leading: string[] = [];
  while (start < request.messages.length && isSystem(request.messages[start])) leading.push(textOf(request.messages[start++].content));
  if (leading.length > 0) body.instructions = leading.join('\n\n');
  body.input = request.messages.slice(start).flatMap(encodeMessage);

  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      parameters: tool.parameters,
      // Responses defaults `strict` to true, which rejects ordinary schemas; keep Chat semantics.
      strict: tool.strict ?? false,
    }));
  }
  if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined && request.tools?.length) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat) body.text = { format: encodeFormat(request.responseFormat) };
  if (request.reasoning?.effort || request.reasoning?.summary) {
    body.reasoning = {
      ...(request.reasoning.effort && { effort: request.reasoning.effort }),
      ...(request.reasoning.summary && { summary: request.reasoning.summary }),
    };
  }
  put(body, 'max_output_tokens', request.maxTokens);
  put(body, 'temperature', request.temperature);
  put(body, 'top_p', request.topP);
  put(body, 'metadata', request.metadata);
  put(body, 'store', request.store);
  put(body, 'user', request.user);
  if (request.stream) body.stream = true;
  return body;
}

function put(body: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) body[key] = value;
}

const isSystem = (m: Message): boolean => m.role === 'system' || m.role === 'developer';

function textOf(parts: ContentPart[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function inputParts(parts: ContentPart[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const p of parts) {
    if (p.type === 'text') out.push({ type: 'input_text', text: p.text });
    else if (p.type === 'image') out.push({ type: 'input_image', image_url: imageUrl(p), detail: p.detail ?? 'auto' });
  }
  return out;
}

function encodeMessage(message: Message): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  for (const part of message.content) {
    if (part.type !== 'tool_result') continue;
    const images = part.content.some((p) => p.type === 'image');
    items.push({ type: 'function_call_output', call_id: part.toolCallId, output: images ? inputParts(part.content) : textOf(part.content) });
  }
  if (message.role === 'tool') return items;
  if (message.role === 'assistant') {
    // Reasoning is not sent back: Responses only accepts reasoning items it issued itself.
    let text = '';
    const flush = (): void => {
      if (text) items.push({ type: 'message', role: 'assistant', content: text });
      text = '';
    };
    for (const part of message.content) {
      if (part.type === 'text') text += part.text;
      else if (part.type === 'tool_call') {
        flush();
        items.push({ type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments });
      }
    }
    flush();
    return items;
  }
  const content = inputParts(message.content);
  if (content.length > 0) items.push({ type: 'message', role: message.role === 'system' ? 'developer' : message.role, content });
  return items;
}
