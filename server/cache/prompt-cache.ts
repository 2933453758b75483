import type { ProxyPlugin } from '../proxy/pipeline/plugin.js';

/** Anthropic allows at most four cache_control breakpoints per request. */
export const MAX_BREAKPOINTS = 4;
const EPHEMERAL = { type: 'ephemeral' } as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether the client placed any breakpoint itself (then the gateway adds none). */
export function hasCacheControl(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasCacheControl);
  if (!isObject(value)) return false;
  if ('cache_control' in value) return true;
  return hasCacheControl(value.system) || hasCacheControl(value.tools) || hasCacheControl(value.messages) || hasCacheControl(value.content);
}

/** Content (a string or blocks) with a breakpoint on its last block; copies, never changes the input. */
function markLast(content: unknown): unknown {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content, cache_control: EPHEMERAL }] : content;
  if (!Array.isArray(content) || content.length === 0) return content;
  const last = content[content.length - 1];
  if (!isObject(last) || last.type === 'thinking' || last.type === 'redacted_thinking') return content;
  return [...content.slice(0, -1), { ...last, cache_control: EPHEMERAL }];
}

/**
 * Breakpoints for an Anthropic Messages body that has none, in the order the
 * prompt is cached (tools → system → messages): the last tool, the system
 * prompt, and the last two user turns (the newest one is written for the
 * next turn, the one before is read now) — at most four. Returns the changed
 * fields, or undefined when nothing could be marked.
 */
export function autoBreakpoints(body: Readonly<Json>): Json | undefined {
  const changed: Json = {};
  let used = 0;
  if (Array.isArray(body.tools) && body.tools.length) {
    const tools = body.tools;
    const last = tools[tools.length - 1];
    if (isObject(last)) {
      changed.tools = [...tools.slice(0, -1), { ...last, cache_control: EPHEMERAL }];
      used++;
    }
  }
  if (body.system !== undefined) {
    const system = markLast(body.system);
    if (system !== body.system) {
      changed.system = system;
      used++;
    }
  }
  if (Array.isArray(body.messages)) {
    const messages = [...body.messages];
    for (let i = messages.length - 1, turns = 0; i >= 0 && turns < 2 && used < MAX_BREAKPOINTS; i--) {
      const message = messages[i];
      if (!isObject(message) || message.role !== 'user') continue;
      turns++;
      const content = markLast(message.content);
      if (content === message.content) continue;
      messages[i] = { ...message, content };
      used++;
    }
    if (used > (changed.tools ? 1 : 0) + (changed.system ? 1 : 0)) changed.messages = messages;
  }
  return used ? changed : undefined;
}

/**
 * Opt-in per model ("auto prompt cache"): for an Anthropic upstream and a
 * client that sent no cache_control, breakpoints are added to the wire body
 * so Anthropic caches the prompt prefix (billed at a tenth when read).
 * Cache read and write tokens come back in the usage and are priced with the
 * model's cache prices (pipeline/cost.ts).
 */
export function useAutoPromptCache(): ProxyPlugin {
  return {
    name: 'auto-prompt-cache',
    request(ctx) {
      if (ctx.endpoint === 'embeddings' || ctx.endpoint === 'count_tokens') return undefined;
      return {
        onPrepareUpstream(up) {
          if (up.wire !== 'anthropic-messages' || !up.model.autoPromptCache || hasCacheControl(up.body)) return;
          const changed = autoBreakpoints(up.body);
          if (changed) Object.assign(up.edit(), changed);
        },
      };
    },
  };
}
