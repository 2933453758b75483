import { invalidRequest } from '../../../core/index.js';
import type { ContentPart, ImagePart, OpaquePart, ReasoningPart, TextPart, ToolCallPart, ToolResultPart } from '../../../core/index.js';
import { splitCallId } from '../shared/call-ids.js';
import { isRecord } from '../../../core/guards.js';
import { requireArray, requireRecord, requireString, optionalBoolean } from './validate.js';

/**
 * Blocks without a canonical counterpart (document, search_result, server_tool_use
 * and the server tools' results, tool_reference, mcp_tool_use, future types) stay
 * opaque: an Anthropic upstream gets them verbatim, another format drops them with
 * a warning.
 */
function opaqueBlock(block: Record<string, unknown>, type: string): OpaquePart {
  return { type: 'opaque', format: 'anthropic-messages', itemType: type, raw: block };
}

export function decodeText(block: Record<string, unknown>, field: string): TextPart {
  const part: TextPart = { type: 'text', text: requireString(block.text, `${field}.text`) };
  if (block.cache_control !== undefined) part.cacheControl = block.cache_control;
  return part;
}

export function decodeImage(block: Record<string, unknown>, field: string): ImagePart {
  const source = requireRecord(block.source, `${field}.source`);
  if (source.type === 'base64') {
    return {
      type: 'image',
      source: {
        kind: 'base64',
        mediaType: requireString(source.media_type, `${field}.source.media_type`),
        data: requireString(source.data, `${field}.source.data`),
      },
    };
  }
  if (source.type === 'url') {
    return { type: 'image', source: { kind: 'url', url: requireString(source.url, `${field}.source.url`) } };
  }
  throw invalidRequest(`${field}.source.type: image source '${String(source.type)}' is not supported (use base64 or url)`, `${field}.source.type`);
}

/** An image of a source kind other formats cannot read (file ids) is kept opaque. */
function imageOrOpaque(block: Record<string, unknown>, field: string): ImagePart | OpaquePart {
  const source = requireRecord(block.source, `${field}.source`);
  if (source.type === 'base64' || source.type === 'url') return decodeImage(block, field);
  return opaqueBlock(block, `image.${String(source.type)}`);
}

function decodeToolResult(block: Record<string, unknown>, field: string, toolNames: Map<string, string>): ToolResultPart {
  const toolCallId = splitCallId(requireString(block.tool_use_id, `${field}.tool_use_id`)).id;
  const content: Array<TextPart | ImagePart | OpaquePart> = [];
  if (typeof block.content === 'string') {
    content.push({ type: 'text', text: block.content });
  } else if (block.content !== undefined && block.content !== null) {
    requireArray(block.content, `${field}.content`).forEach((inner, i) => {
      const f = `${field}.content.${i}`;
      const b = requireRecord(inner, f);
      if (b.type === 'text') content.push(decodeText(b, f));
      else if (b.type === 'image') content.push(imageOrOpaque(b, f));
      else content.push(opaqueBlock(b, requireString(b.type, `${f}.type`)));
    });
  }
  const part: ToolResultPart = { type: 'tool_result', toolCallId, content };
  if (block.cache_control !== undefined) part.cacheControl = block.cache_control;
  const name = toolNames.get(toolCallId);
  if (name) part.toolName = name;
  if (optionalBoolean(block.is_error, `${field}.is_error`)) part.isError = true;
  return part;
}

/**
 * One message's blocks → canonical parts. `toolNames` maps tool_use ids seen so far to
 * their names, so tool results can carry the name (Gemini keys results by name).
 */
export function decodeBlocks(role: 'user' | 'assistant', content: unknown, field: string, toolNames: Map<string, string>): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const blocks = requireArray(content, field);
  return blocks.map((raw, i): ContentPart => {
    const f = `${field}.${i}`;
    const block = requireRecord(raw, f);
    const type = requireString(block.type, `${f}.type`);
    switch (type) {
      case 'text':
        return decodeText(block, f);
      case 'image':
        return imageOrOpaque(block, f);
      case 'tool_use': {
        if (role !== 'assistant') throw invalidRequest(`${f}: tool_use blocks belong to assistant messages`, f);
        const { id, signature } = splitCallId(requireString(block.id, `${f}.id`));
        const name = requireString(block.name, `${f}.name`);
        if (!isRecord(block.input)) throw invalidRequest(`${f}.input: Input should be an object`, `${f}.input`);
        toolNames.set(id, name);
        const part: ToolCallPart = { type: 'tool_call', id, name, arguments: JSON.stringify(block.input) };
        if (signature !== undefined) part.signature = signature;
        return part;
      }
      case 'tool_result':
        if (role !== 'user') throw invalidRequest(`${f}: tool_result blocks belong to user messages`, f);
        return decodeToolResult(block, f, toolNames);
      case 'thinking': {
        if (role !== 'assistant') throw invalidRequest(`${f}: thinking blocks belong to assistant messages`, f);
        const part: ReasoningPart = { type: 'reasoning', text: requireString(block.thinking, `${f}.thinking`) };
        if (typeof block.signature === 'string') part.signature = block.signature;
        return part;
      }
      case 'redacted_thinking':
        if (role !== 'assistant') throw invalidRequest(`${f}: redacted_thinking blocks belong to assistant messages`, f);
        return { type: 'reasoning', text: '', redactedData: requireString(block.data, `${f}.data`) };
      default:
        return opaqueBlock(block, type);
    }
  });
}
