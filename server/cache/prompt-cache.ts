import { isRecord } from '../core/guards.js';
import type { ProxyPlugin } from '../proxy/pipeline/plugin.js';

/** Anthropic allows at most four cache_control breakpoints per request. */
export const MAX_BREAKPOINTS = 4;
const EPHEMERAL = { type: 'ephemeral' } as const;

type Json = Record<string, unknown>;

/** Whether the client placed any breakpoint itself (then the gateway adds none). */
export function hasCacheControl(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasCacheControl);
  if (!isRecord(value)) return false;
  if ('cache_control' in value) return true;
  return hasCacheControl(value.system) || hasCacheControl(value.tools) || hasCacheControl(value.messages) || hasCacheControl(value.content);
}

/** Content (a string or blocks) with a breakpoint on its last block; copies, never changes the input. */
function markLast(content: unknown): unknown {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content, cache_control: EPHEMERAL }] : content;
  if (!Array.isArray(content) || content.length === 0) return content;
  const blocks: readonly unknown[] = content;
  const last = blocks[blocks.length - 1];
  if (!isRecord(last) || last.type === 'thinking' || last.type === 'redacted_thinking') return content;
  return [...blocks.slice(0, -1), { ...last, cache_control: EPHEMERAL }];
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
    const tools: readonly unknown[] = body.tools;
    const last = tools[tools.length - 1];
    if (isRecord(last)) {
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
    const sent: readonly unknown[] = body.messages;
    const messages = [...sent];
    for (let i = messages.length - 1, turns = 0; i >= 0 && turns < 2 && used < MAX_BREAKPOINTS; i--) {
      const message = messages[i];
      if (!isRecord(message) || message.role !== 'user') continue;
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

const CACHE_POINT = { cachePoint: { type: 'default' } } as const;
const isCachePoint = (block: unknown) => isRecord(block) && 'cachePoint' in block;

/** Whether a Bedrock Converse body already has a cache point (a client's cache_control becomes one). */
export function hasCachePoint(body: Readonly<Json>): boolean {
  const lists: unknown[] = [body.system, isRecord(body.toolConfig) ? body.toolConfig.tools : undefined];
  if (Array.isArray(body.messages)) for (const m of body.messages as unknown[]) if (isRecord(m)) lists.push(m.content);
  return lists.some((list) => Array.isArray(list) && list.some(isCachePoint));
}

/** A block list with a cache point appended (copied), unless it is empty or already ends with one. */
function withCachePoint(list: unknown): unknown[] | undefined {
  if (!Array.isArray(list) || list.length === 0 || isCachePoint(list[list.length - 1])) return undefined;
  return [...(list as unknown[]), CACHE_POINT];
}

/**
 * The same breakpoints for a Bedrock Converse body, as cache points (Converse's
 * spelling of a breakpoint: a block after the cached prefix): after the tool
 * list, after the system blocks, after the last two user turns — at most four.
 */
export function autoCachePoints(body: Readonly<Json>): Json | undefined {
  const changed: Json = {};
  let used = 0;
  if (isRecord(body.toolConfig)) {
    const tools = withCachePoint(body.toolConfig.tools);
    if (tools) {
      changed.toolConfig = { ...body.toolConfig, tools };
      used++;
    }
  }
  const system = withCachePoint(body.system);
  if (system) {
    changed.system = system;
    used++;
  }
  if (Array.isArray(body.messages)) {
    const messages = [...(body.messages as unknown[])];
    let marked = false;
    for (let i = messages.length - 1, turns = 0; i >= 0 && turns < 2 && used < MAX_BREAKPOINTS; i--) {
      const message = messages[i];
      if (!isRecord(message) || message.role !== 'user') continue;
      turns++;
      const content = withCachePoint(message.content);
      if (!content) continue;
      messages[i] = { ...message, content };
      marked = true;
      used++;
    }
    if (marked) changed.messages = messages;
  }
  return used ? changed : undefined;
}

/**
 * Opt-in per model ("auto prompt cache"): for an Anthropic upstream (Claude
 * on Bedrock's InvokeModel included; a Bedrock Converse one gets cache points) and a client that sent no
 * breakpoint, breakpoints are added to the wire body so the provider caches
 * the prompt prefix (billed at a tenth when read). Cache read and write
 * tokens come back in the usage and are priced with the model's cache prices
 * (pipeline/cost.ts).
 */
export function useAutoPromptCache(): ProxyPlugin {
  return {
    name: 'auto-prompt-cache',
    request(ctx) {
      if (ctx.endpoint === 'embeddings' || ctx.endpoint === 'count_tokens') return undefined;
      return {
        onPrepareUpstream(up) {
          if (!up.model.autoPromptCache) return;
          // Claude on Bedrock through InvokeModel takes the Anthropic Messages body as it is.
          if (up.wire === 'anthropic-messages' || up.wire === 'bedrock-anthropic') {
            if (hasCacheControl(up.body)) return;
            const changed = autoBreakpoints(up.body);
            if (changed) Object.assign(up.edit(), changed);
          } else if (up.wire === 'bedrock-converse') {
            if (hasCachePoint(up.body)) return;
            const changed = autoCachePoints(up.body);
            if (changed) Object.assign(up.edit(), changed);
          }
        },
      };
    },
  };
}
