import { invalidRequest } from '../../../core/index.js';
import type { CanonicalRequest, ImagePart, ReasoningEffort, ToolResultPart } from '../../../core/index.js';
import type { UpstreamTarget } from '../format.js';
import { isRecord } from '../../../core/guards.js';
import { parseArguments } from '../shared/json.js';
import { planTools, wireToolCall } from '../shared/tool-plan.js';
import { wireToolName } from '../shared/tool-names.js';
import { openAIOnlyFields, warn, warnDropped, warnUnmapped } from '../shared/warnings.js';
import { cleanSchema, hasParameters } from './schema.js';
import type { GeminiContent, GeminiPart } from './types.js';

/** OpenAI-style effort → Gemini thinkingBudget (tokens); 0 turns thinking off where the model allows. */
export const EFFORT_TO_THINKING_BUDGET: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
};

/**
 * Gemini 3 rejects replayed function calls without the `thoughtSignature` it issued.
 * Calls that came through another format have none, so they carry Google's documented
 * placeholder that skips the check.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

/** Guesses an image URL's MIME type from its extension (Gemini's fileData requires one); defaults to JPEG. */
export function guessMimeType(url: string): string {
  const path = url.split(/[?#]/)[0];
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return MIME_BY_EXT[ext] ?? 'image/jpeg';
}

/** base64 / data: URLs → inlineData; http(s) URLs → fileData (Gemini fetches them; not every URL is accepted). */
function imagePart(part: ImagePart): GeminiPart {
  if (part.source.kind === 'base64') return { inlineData: { mimeType: part.source.mediaType, data: part.source.data } };
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(part.source.url);
  if (match) return { inlineData: { mimeType: match[1], data: match[2] } };
  return { fileData: { mimeType: guessMimeType(part.source.url), fileUri: part.source.url } };
}

/**
 * A tool result → functionResponse. Gemini wants an object: JSON-object text is sent as
 * is, anything else as `{result: text}` (or `{error: text}` when the tool failed).
 */
function functionResponse(part: ToolResultPart, names: Map<string, string>, field: string, target: UpstreamTarget): GeminiPart[] {
  for (const c of part.content) if (c.type === 'opaque') warn(target, `content ${c.itemType} dropped`);
  const name = names.get(part.toolCallId) ?? (part.toolName !== undefined ? wireToolName(part.toolName) : undefined);
  if (!name) throw invalidRequest(`${field}: tool result '${part.toolCallId}' does not answer any earlier tool call`, field);
  const text = part.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  let response: Record<string, unknown> = part.isError ? { error: text } : { result: text };
  if (!part.isError) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (isRecord(parsed)) response = parsed;
    } catch {
      /* plain text result */
    }
  }
  const images = part.content.filter((c): c is ImagePart => c.type === 'image').map(imagePart);
  return [{ functionResponse: { name, response } }, ...images];
}

function encodeContents(request: CanonicalRequest, target: UpstreamTarget): { system: string[]; contents: GeminiContent[] } {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const names = new Map<string, string>();
  request.messages.forEach((message, i) => {
    if (message.role === 'system' || message.role === 'developer') {
      for (const part of message.content) if (part.type === 'text' && part.text) system.push(part.text);
      return;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts: GeminiPart[] = [];
    let signed = false;
    for (const part of message.content) {
      switch (part.type) {
        case 'text':
          if (part.text) parts.push({ text: part.text });
          break;
        case 'image':
          parts.push(imagePart(part));
          break;
        case 'tool_call': {
          const wire = wireToolCall(part);
          names.set(part.id, wire.name);
          const call: GeminiPart = { functionCall: { name: wire.name, args: parseArguments(wire.arguments) } };
          // The signature Gemini issued goes back as it was; calls from elsewhere get the placeholder on a turn's first call.
          if (part.signature) call.thoughtSignature = part.signature;
          else if (!signed) call.thoughtSignature = SKIP_SIGNATURE;
          signed = true;
          parts.push(call);
          break;
        }
        case 'tool_result':
          parts.push(...functionResponse(part, names, `messages[${i}].content`, target));
          break;
        case 'reasoning':
          // Thought text cannot be replayed to Gemini; it only reads its own signatures.
          break;
        case 'opaque':
          warn(target, `${part.inContent ? 'content' : 'item'} ${part.itemType} dropped`);
          break;
        default: {
          const _exhaustive: never = part;
        }
      }
    }
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  });
  return { system, contents };
}

function thinkingConfig(request: CanonicalRequest): Record<string, unknown> | undefined {
  const reasoning = request.reasoning;
  if (!reasoning) return undefined;
  if (reasoning.disabled) return { thinkingBudget: 0 };
  if (reasoning.budgetTokens !== undefined) return { thinkingBudget: reasoning.budgetTokens, includeThoughts: true };
  if (reasoning.effort !== undefined) {
    const budget = EFFORT_TO_THINKING_BUDGET[reasoning.effort] ?? 8192;
    return budget === 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
  }
  return { includeThoughts: true };
}

/** Gemini 3 combines its built-in tools with function calling; earlier models reject the mix. */
const combinesBuiltInTools = (model: string): boolean => /gemini-([3-9]|\d{2,})/.test(model);

/** Canonical request → generateContent body (the model goes in the URL, not the body). */
export function encodeGeminiRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown> {
  const { system, contents } = encodeContents(request, target);
  const body: Record<string, unknown> = { contents };
  if (system.length) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };

  const plan = planTools(request.tools, 'gemini', target);
  const tools: Array<Record<string, unknown>> = [];
  if (plan.functions.length) {
    tools.push({
      functionDeclarations: plan.functions.map((tool) => {
        const parameters = cleanSchema(tool.parameters);
        return {
          name: tool.name,
          ...(tool.description !== undefined ? { description: tool.description } : {}),
          ...(hasParameters(parameters) ? { parameters } : {}),
        };
      }),
    });
    const choice = request.toolChoice;
    if (choice) {
      const mode = choice.type === 'auto' ? 'AUTO' : choice.type === 'none' ? 'NONE' : 'ANY';
      body.toolConfig = {
        functionCallingConfig: { mode, ...(choice.type === 'tool' ? { allowedFunctionNames: [wireToolName(choice.name)] } : {}) },
      };
    }
    if (request.parallelToolCalls === false) warn(target, 'field parallel_tool_calls dropped');
  }
  if (plan.webSearch) {
    if (plan.functions.length && !combinesBuiltInTools(target.upstreamModel))
      warn(target, 'tool web_search dropped (model cannot combine google_search with functions)');
    else {
      tools.push({ googleSearch: {} });
      if (plan.webSearch.allowedDomains?.length || plan.webSearch.blockedDomains?.length) warn(target, 'web_search domain filters dropped');
    }
  }
  if (tools.length) body.tools = tools;

  const config: Record<string, unknown> = {};
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stop?.length) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  const format = request.responseFormat;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    config.responseSchema = cleanSchema(format.schema);
  }
  const thinking = thinkingConfig(request);
  if (thinking) config.thinkingConfig = thinking;
  if (Object.keys(config).length) body.generationConfig = config;
  warnDropped(target, openAIOnlyFields(request));
  warnUnmapped(request, target);
  return body;
}
