import { GatewayError } from '../../../core/index.js';
import type { CanonicalResponse, ContentPart } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { makeId } from '../shared/ids.js';
import { finishReasonFromBedrock, usageFromBedrock } from './mapping.js';
import type { BedrockConverseResponse } from './types.js';

/** Converse output blocks → canonical parts; blocks of other kinds are kept opaque for the same wire. */
export function blocksToContent(blocks: unknown): ContentPart[] {
  const content: ContentPart[] = [];
  for (const block of Array.isArray(blocks) ? blocks : []) {
    if (!isRecord(block)) continue;
    if (typeof block.text === 'string') {
      const last = content[content.length - 1];
      if (last?.type === 'text') last.text += block.text;
      else content.push({ type: 'text', text: block.text });
    } else if (isRecord(block.toolUse)) {
      const use = block.toolUse;
      content.push({
        type: 'tool_call',
        id: typeof use.toolUseId === 'string' ? use.toolUseId : makeId('tooluse_'),
        name: typeof use.name === 'string' ? use.name : '',
        arguments: JSON.stringify(use.input ?? {}),
      });
    } else if (isRecord(block.reasoningContent)) {
      const r = block.reasoningContent;
      if (typeof r.redactedContent === 'string') content.push({ type: 'reasoning', text: '', redactedData: r.redactedContent });
      else if (isRecord(r.reasoningText)) {
        const text = typeof r.reasoningText.text === 'string' ? r.reasoningText.text : '';
        const signature = typeof r.reasoningText.signature === 'string' ? r.reasoningText.signature : undefined;
        content.push({ type: 'reasoning', text, ...(signature ? { signature } : {}) });
      }
    } else {
      content.push({ type: 'opaque', format: 'bedrock-converse', itemType: Object.keys(block)[0] ?? 'unknown', raw: block, inContent: true });
    }
  }
  return content;
}

/** Converse response → canonical response. Bedrock gives no answer id; the gateway makes one. */
export function decodeBedrockResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !isRecord(body.output)) {
    throw new GatewayError({ status: 502, kind: 'upstream', message: 'Upstream returned a malformed Converse response' });
  }
  const response = body as BedrockConverseResponse;
  const content = blocksToContent(response.output?.message?.content);
  return {
    id: makeId('msg_'),
    model: '',
    created: Math.floor(Date.now() / 1000),
    content,
    finishReason: finishReasonFromBedrock(
      response.stopReason,
      content.some((p) => p.type === 'tool_call'),
    ),
    usage: usageFromBedrock(response.usage),
  };
}
