import type { CanonicalRequest, Message } from '../core/index.js';

/**
 * Every place in a canonical request where a caller's text can carry a value:
 * text parts of every message (system prompts included), tool-call arguments
 * (JSON text) and tool results. Reasoning parts are left alone (their
 * signatures bind the text), and so are opaque items (their shape is not ours).
 * `visit` returns the replacement text (or the same text).
 */
export function rewriteRequestTexts(request: CanonicalRequest, visit: (text: string, json: boolean) => string): void {
  for (const message of request.messages) rewriteMessage(message, visit);
}

function rewriteMessage(message: Message, visit: (text: string, json: boolean) => string): void {
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        part.text = visit(part.text, false);
        break;
      case 'tool_call':
        part.arguments = visit(part.arguments, part.kind !== 'custom');
        break;
      case 'tool_result':
        for (const inner of part.content) if (inner.type === 'text') inner.text = visit(inner.text, false);
        break;
      case 'image':
      case 'reasoning':
      case 'opaque':
        break;
      default: {
        const _exhaustive: never = part;
        void _exhaustive;
      }
    }
  }
}
