/**
 * Mock Amazon Bedrock Runtime (Converse API) on 127.0.0.1 (random port); `url` has no path.
 *
 * Routes: POST /model/{modelId}/converse (JSON) and /model/{modelId}/converse-stream
 * (`application/vnd.amazon.eventstream`: binary frames with CRCs, encoded with the
 * same codec the AWS SDKs use, each event padded with a `p` field like the real
 * service). Every request must be SigV4-signed for service `bedrock` in the mock's
 * region with the mock's access key: the mock recomputes the signature with the
 * configured secret (same signing library) and answers 403
 * InvalidSignatureException / UnrecognizedClientException otherwise. A Bedrock
 * API key (`Authorization: Bearer …`) is accepted when `bearerKey` is set.
 *
 * Validation like the service (400 ValidationException): messages non-empty, first
 * from the user, roles alternating, no blank text, images as png/jpeg/gif/webp bytes,
 * every toolResult answering a toolUse of the previous assistant turn, toolUse
 * history only with a toolConfig, no unknown top-level fields.
 *
 * Default answers (see types.ts); the greeting is `Hello from bedrock: <text>`.
 * Usage: inputTokens = input − cached, cacheReadInputTokens = cached (when cached).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { BEDROCK_CREDENTIALS, type MockOptions, type MockScenario, type MockUpstream } from './types.js';
import { mockState, serveMock } from './serve.js';

type Json = Record<string, any>;
interface Plan {
  blocks: Json[];
  stopReason: string;
  chunks: number;
  delayMs: number;
}

export interface BedrockMockOptions extends MockOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Temporary credentials: the `x-amz-security-token` every request must carry. */
  sessionToken?: string;
  /** A Bedrock API key accepted as `Authorization: Bearer`. */
  bearerKey?: string;
}

export interface BedrockMock extends MockUpstream {
  /** The next stream sends its first text, then this exception frame (`:message-type: exception`). */
  failStreamWith(exceptionType: string, message: string): void;
  /** The next stream's second frame has its message CRC broken. */
  corruptNextStream(): void;
}

export { BEDROCK_CREDENTIALS };

const ALLOWED_FIELDS = new Set([
  'messages',
  'system',
  'inferenceConfig',
  'toolConfig',
  'guardrailConfig',
  'additionalModelRequestFields',
  'promptVariables',
  'additionalModelResponseFieldPaths',
  'requestMetadata',
  'performanceConfig',
]);
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);
const ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

class MockError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = ERROR_TYPES[status] ?? 'InternalServerException',
  ) {
    super(message);
  }
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = (prefix: string) => prefix + randomBytes(12).toString('base64url');

function splitText(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

/** One event-stream frame as ConverseStream sends it. */
export function eventFrame(eventType: string, payload: Json): Uint8Array {
  const padding = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0'.slice(0, 1 + Math.floor(Math.random() * 40));
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ ...payload, p: padding })),
  });
}

export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

const textOf = (blocks: Json[] | undefined): string =>
  (blocks ?? [])
    .filter((b) => typeof b.text === 'string')
    .map((b) => b.text)
    .join('');

function validate(body: Json): void {
  for (const key of Object.keys(body)) {
    if (!ALLOWED_FIELDS.has(key))
      throw new MockError(400, `Malformed input request: extraneous key [${key}] is not permitted, please reformat your input and try again.`);
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    throw new MockError(400, 'A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  let hasToolBlocks = false;
  messages.forEach((m: Json, i: number) => {
    if (m?.role !== 'user' && m?.role !== 'assistant')
      throw new MockError(
        400,
        `1 validation error detected: Value at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`,
      );
    if (i === 0 && m.role !== 'user')
      throw new MockError(400, 'A conversation must start with a user message. Try again with a conversation that starts with a user message.');
    if (i > 0 && messages[i - 1].role === m.role)
      throw new MockError(
        400,
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    if (!Array.isArray(m.content) || m.content.length === 0)
      throw new MockError(
        400,
        `The content field in the Message object at messages.${i}.content is empty. Add a ContentBlock object to the content field and try again.`,
      );
    for (const [j, b] of (m.content as Json[]).entries()) {
      const kinds = Object.keys(b ?? {});
      if (kinds.length !== 1) throw new MockError(400, `messages.${i}.content.${j}: a ContentBlock must have exactly one member`);
      if ('text' in b && (typeof b.text !== 'string' || b.text.trim() === ''))
        throw new MockError(
          400,
          `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`,
        );
      if ('image' in b && (!IMAGE_FORMATS.has(b.image?.format) || typeof b.image?.source?.bytes !== 'string' || b.image.source.bytes === '')) {
        throw new MockError(400, `messages.${i}.content.${j}.image: format must be one of png, jpeg, gif, webp and source.bytes must be set`);
      }
      if ('toolUse' in b) {
        hasToolBlocks = true;
        if (m.role !== 'assistant' || typeof b.toolUse?.toolUseId !== 'string' || typeof b.toolUse?.name !== 'string')
          throw new MockError(400, `messages.${i}.content.${j}.toolUse: toolUseId and name are required on assistant turns`);
        if (b.toolUse.input === null || typeof b.toolUse.input !== 'object')
          throw new MockError(400, `messages.${i}.content.${j}.toolUse.input must be a JSON object`);
      }
      if ('toolResult' in b) {
        hasToolBlocks = true;
        const prev = messages[i - 1];
        const ids = prev ? (prev.content as Json[]).filter((p) => p.toolUse).map((p) => p.toolUse.toolUseId) : [];
        if (m.role !== 'user' || !ids.includes(b.toolResult?.toolUseId)) {
          throw new MockError(400, `The toolResult blocks at messages.${i}.content contain a toolUseId that does not match any toolUse in the previous turn.`);
        }
        if (!Array.isArray(b.toolResult.content) || b.toolResult.content.length === 0)
          throw new MockError(400, `messages.${i}.content.${j}.toolResult.content must not be empty`);
      }
    }
  });
  if (hasToolBlocks && !body.toolConfig) throw new MockError(400, 'The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  if (body.system !== undefined && !Array.isArray(body.system)) throw new MockError(400, 'system must be a list of SystemContentBlock');
  const max = body.inferenceConfig?.maxTokens;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new MockError(400, 'inferenceConfig.maxTokens must be a positive integer');
  for (const [i, tool] of (body.toolConfig?.tools ?? []).entries()) {
    if (tool.cachePoint) continue;
    if (typeof tool.toolSpec?.name !== 'string' || typeof tool.toolSpec?.inputSchema?.json !== 'object')
      throw new MockError(400, `toolConfig.tools.${i}: toolSpec.name and toolSpec.inputSchema.json are required`);
  }
}

const MEDIA_TYPES: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };

function defaultPlan(body: Json): Plan {
  const base = { stopReason: 'end_turn', chunks: 4, delayMs: 0 };
  const blocks: Json[] = body.messages.at(-1).content;
  const result = blocks.find((b) => b.toolResult);
  if (result) return { ...base, blocks: [{ text: `Tool said: ${textOf(result.toolResult.content)}` }] };
  const text = textOf(blocks);
  const tools = (body.toolConfig?.tools ?? []).filter((t: Json) => t.toolSpec);
  if (tools.length && /weather/i.test(text)) {
    return { ...base, stopReason: 'tool_use', blocks: [{ toolUse: { toolUseId: id('tooluse_'), name: tools[0].toolSpec.name, input: { city: 'Paris' } } }] };
  }
  const image = blocks.find((b) => b.image);
  if (image) return { ...base, blocks: [{ text: `I see an image (${MEDIA_TYPES[image.image.format]})` }] };
  return { ...base, blocks: [{ text: `Hello from bedrock: ${text}` }] };
}

function scenarioPlan(s: MockScenario): Plan | undefined {
  const base = { stopReason: 'end_turn', chunks: 4, delayMs: 0 };
  switch (s.type) {
    case 'text':
      return { ...base, blocks: [{ text: s.text }], chunks: s.chunks ?? 4, delayMs: s.chunkDelayMs ?? 0 };
    case 'tool_call':
      return { ...base, stopReason: 'tool_use', blocks: [{ toolUse: { toolUseId: s.id ?? id('tooluse_'), name: s.name, input: s.arguments } }] };
    case 'reasoning_then_text':
      return {
        ...base,
        blocks: [{ reasoningContent: { reasoningText: { text: s.reasoning, signature: 'sig_' + randomBytes(16).toString('base64') } } }, { text: s.text }],
      };
    case 'drop_mid_stream':
      return { ...base, blocks: [{ text: s.text }] };
    case 'error':
    case 'hang':
      return undefined;
  }
}

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` → its parts. */
function parseAuthorization(header: string): { accessKeyId: string; date: string; region: string; service: string; signedHeaders: string[] } | undefined {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=[0-9a-f]{64}$/.exec(header);
  return m ? { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';') } : undefined;
}

const amzDate = (text: string): Date =>
  new Date(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}Z`);

export async function startBedrockMock(options: BedrockMockOptions = {}): Promise<BedrockMock> {
  const region = options.region ?? BEDROCK_CREDENTIALS.region;
  const accessKeyId = options.accessKeyId ?? BEDROCK_CREDENTIALS.accessKeyId;
  const secretAccessKey = options.secretAccessKey ?? BEDROCK_CREDENTIALS.secretAccessKey;
  const state = mockState();
  const { queue, usage, drop } = state;
  let streamFailure: { type: string; message: string } | undefined;
  let corrupt = false;

  /** Recomputes the signature over what arrived (signed headers only) and compares it with the one sent. */
  async function checkSignature(req: IncomingMessage, rawBody: string): Promise<void> {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      if (options.bearerKey && bearer === options.bearerKey) return;
      throw new MockError(403, 'Invalid API Key format: Must start with pre-defined prefix', 'UnrecognizedClientException');
    }
    const auth = parseAuthorization(String(req.headers.authorization ?? ''));
    if (!auth)
      throw new MockError(403, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.", 'IncompleteSignatureException');
    if (auth.accessKeyId !== accessKeyId) throw new MockError(403, 'The security token included in the request is invalid.', 'UnrecognizedClientException');
    if (auth.service !== 'bedrock' || auth.region !== region)
      throw new MockError(403, `Credential should be scoped to a valid region and service 'bedrock' in '${region}'.`, 'InvalidSignatureException');
    if (options.sessionToken && req.headers['x-amz-security-token'] !== options.sessionToken)
      throw new MockError(403, 'The security token included in the request is invalid.', 'UnrecognizedClientException');
    const date = String(req.headers['x-amz-date'] ?? '');
    if (!/^\d{8}T\d{6}Z$/.test(date) || !auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
      throw new MockError(403, 'The request must sign host and x-amz-date.', 'InvalidSignatureException');
    }
    if (Math.abs(amzDate(date).getTime() - Date.now()) > 5 * 60_000) throw new MockError(403, 'Signature expired.', 'InvalidSignatureException');
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) headers[name] = String(req.headers[name] ?? '');
    const url = new URL(req.url ?? '', `http://${req.headers.host}`);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey, ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) },
      region,
      service: 'bedrock',
      sha256: Sha256,
    });
    const expected = await signer.sign(
      { method: req.method ?? 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers, body: rawBody },
      { signingDate: amzDate(date) },
    );
    if (expected.headers.authorization !== req.headers.authorization) {
      throw new MockError(
        403,
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
        'InvalidSignatureException',
      );
    }
  }

  function usageJson(): Json {
    return {
      inputTokens: usage.input - usage.cached,
      outputTokens: usage.output,
      totalTokens: usage.input + usage.output,
      ...(usage.cached ? { cacheReadInputTokens: usage.cached, cacheWriteInputTokens: 0 } : {}),
    };
  }

  async function stream(plan: Plan, res: ServerResponse, dropping: boolean): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': id('') });
    const frames: Uint8Array[] = [eventFrame('messageStart', { role: 'assistant' })];
    const failure = streamFailure;
    streamFailure = undefined;
    for (const [index, block] of plan.blocks.entries()) {
      if (typeof block.text === 'string') {
        for (const text of splitText(block.text, plan.chunks)) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { text } }));
        if (failure) {
          frames.splice(2);
          frames.push(exceptionFrame(failure.type, failure.message));
          break;
        }
      } else if (block.toolUse) {
        const { toolUseId, name, input } = block.toolUse;
        frames.push(eventFrame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } }));
        for (const piece of splitText(JSON.stringify(input), 3))
          frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: piece } } }));
      } else if (block.reasoningContent) {
        const { text, signature } = block.reasoningContent.reasoningText;
        for (const piece of splitText(text, 2))
          frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text: piece } } }));
        frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { signature } } }));
      }
      frames.push(eventFrame('contentBlockStop', { contentBlockIndex: index }));
    }
    if (!failure) {
      frames.push(eventFrame('messageStop', { stopReason: plan.stopReason }));
      frames.push(eventFrame('metadata', { usage: usageJson(), metrics: { latencyMs: 42 } }));
    }
    if (corrupt) {
      corrupt = false;
      const bad = Buffer.from(frames[1]);
      bad[bad.length - 1] ^= 0xff;
      frames[1] = bad;
    }
    for (const [i, frame] of frames.entries()) {
      if (res.destroyed) return;
      if (dropping && i >= Math.ceil(frames.length / 2)) return drop(res);
      // Frames split across writes, so the reader must join partial ones.
      const cut = Math.floor(frame.length / 2);
      res.write(frame.subarray(0, cut));
      res.write(frame.subarray(cut));
      if (plan.delayMs) await sleep(plan.delayMs);
    }
    if (!res.destroyed) res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: any): Promise<void> {
    const url = new URL(req.url ?? '', 'http://x');
    // The gateway sends the JSON it signed; the recorded body re-serialized is those bytes.
    const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    if (Buffer.byteLength(raw) !== Number(req.headers['content-length'] ?? 0)) throw new MockError(400, 'The body is not the JSON that was signed');
    await checkSignature(req, raw);
    const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) throw new MockError(404, `Unknown operation: ${req.method} ${url.pathname}`, 'UnknownOperationException');
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new MockError(400, 'Malformed input request, please reformat your input and try again.');
    const scenario = queue.shift();
    if (scenario?.type === 'error') {
      return send(res, scenario.status, scenario.body ?? { message: `Mock error ${scenario.status}` }, {
        'x-amzn-errortype': `${ERROR_TYPES[scenario.status] ?? 'InternalServerException'}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        ...scenario.headers,
      });
    }
    if (scenario?.type === 'hang') return;
    validate(body);
    const plan = (scenario && scenarioPlan(scenario)) ?? defaultPlan(body);
    const dropping = scenario?.type === 'drop_mid_stream';
    if (match[2] === 'converse-stream') return stream(plan, res, dropping);
    const full = JSON.stringify({
      output: { message: { role: 'assistant', content: plan.blocks } },
      stopReason: plan.stopReason,
      usage: usageJson(),
      metrics: { latencyMs: 42 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': id('') });
    if (dropping) {
      res.write(full.slice(0, full.length >> 1));
      return drop(res);
    }
    res.end(full);
  }

  const mock = await serveMock(options, state, handle, (res, err) => {
    const e = err instanceof MockError ? err : new MockError(500, String(err));
    send(res, e.status, { message: e.message }, { 'x-amzn-errortype': `${e.type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
  });
  return Object.assign(mock, {
    failStreamWith(type: string, message: string) {
      streamFailure = { type, message };
    },
    corruptNextStream() {
      corrupt = true;
    },
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': id(''), ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
