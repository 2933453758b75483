import { countTokens } from '../shared/tokens.js';
import type { CanonicalRequest, ContentPart } from '../../../core/index.js';

/**
 * Input-token estimate for `/v1/messages/count_tokens` when the target cannot count
 * for us. It uses OpenAI's o200k encoding, so for Claude it is an estimate (typically
 * within 10–20 %), not Anthropic's exact count.
 */

/** Flat cost of one image; Anthropic charges about (width × height) / 750, ~1,600 for a 1-megapixel image. */
export const IMAGE_TOKENS = 1600;
/** Framing per message (role markers) and per tool definition. */
const PER_MESSAGE = 4;
const PER_TOOL = 8;
/** The tool-use system prompt Anthropic adds whenever tools are offered. */
const TOOLS_OVERHEAD = 300;

function partTokens(part: ContentPart): number {
  switch (part.type) {
    case 'text':
      return countTokens(part.text);
    case 'image':
      return IMAGE_TOKENS;
    case 'tool_call':
      return countTokens(part.name) + countTokens(part.arguments);
    case 'tool_result':
      return part.content.reduce((sum, inner) => sum + partTokens(inner), PER_MESSAGE);
    case 'reasoning':
      return part.text ? countTokens(part.text) : 0;
    case 'opaque':
      return countTokens(JSON.stringify(part.raw));
    default: {
      const _exhaustive: never = part;
      return _exhaustive;
    }
  }
}

export function estimateInputTokens(request: CanonicalRequest): number {
  let total = 0;
  for (const message of request.messages) {
    total += PER_MESSAGE;
    for (const part of message.content) total += partTokens(part);
  }
  if (request.tools?.length) {
    total += TOOLS_OVERHEAD;
    for (const tool of request.tools) {
      if (tool.type === 'web_search' || tool.type === 'opaque') total += PER_TOOL + countTokens(JSON.stringify(tool.raw));
      else if (tool.type === 'custom')
        total += PER_TOOL + countTokens(tool.name) + countTokens(tool.description ?? '') + countTokens(JSON.stringify(tool.format ?? {}));
      else total += PER_TOOL + countTokens(tool.name) + countTokens(tool.description ?? '') + countTokens(JSON.stringify(tool.parameters));
    }
  }
  return total;
}
