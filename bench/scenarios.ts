/**
 * What is measured: each scenario is the same client request sent straight to
 * the mock (direct), through the bare proxy, and through the gateway.
 */
import type { HttpCall } from './load.js';
import { GATEWAY_MODELS } from './gateway.js';

export type TargetName = 'direct' | 'bare' | 'gateway';
export const TARGETS: TargetName[] = ['direct', 'bare', 'gateway'];

export type ScenarioId = 'passthrough' | 'stream' | 'stream-cross' | 'virtual-model' | 'body-logging' | 'cache-hit';

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Streams also get a time-to-first-byte probe. */
  streaming: boolean;
  call(target: TargetName): HttpCall;
}

export interface Endpoints {
  mock: string;
  bare: string;
  gateway: string;
  key: string;
  loggingKey: string;
}

const PROMPT = 'Summarise the benefits of connection pooling for an HTTP proxy in three sentences. '.repeat(3);
export const STREAM_CHUNKS = 20;

const chatBody = (model: string, stream: boolean) =>
  JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: PROMPT },
    ],
    max_tokens: 64,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });

const messagesBody = (model: string) =>
  JSON.stringify({ model, max_tokens: 64, system: 'You are terse.', messages: [{ role: 'user', content: PROMPT }], stream: true });

/** Direct and bare calls carry the stream shape as headers; the gateway's provider adds the same headers itself. */
const upstreamHeaders = { authorization: 'Bearer sk-bench-upstream', 'x-mock-chunks': String(STREAM_CHUNKS) };

/** A chat completions call to the gateway for one of its models. */
export function gatewayChatCall(e: Endpoints, model: string, stream: boolean): HttpCall {
  return { url: `${e.gateway}/v1/chat/completions`, headers: { authorization: `Bearer ${e.key}` }, body: chatBody(model, stream) };
}

/** The slow stream of the memory check, through the bare proxy (the mock reads its shape from the headers). */
export function bareSlowStreamCall(e: Endpoints, chunks: number, delayMs: number): HttpCall {
  return {
    url: `${e.bare}/v1/chat/completions`,
    headers: { ...upstreamHeaders, 'x-mock-chunks': String(chunks), 'x-mock-delay-ms': String(delayMs) },
    body: chatBody('gpt-bench', true),
  };
}

export function buildScenarios(e: Endpoints): Scenario[] {
  const base = (target: TargetName) => (target === 'direct' ? e.mock : target === 'bare' ? e.bare : e.gateway);
  const chat =
    (opts: { stream: boolean; gatewayModel: string; gatewayKey: string }) =>
    (target: TargetName): HttpCall =>
      target === 'gateway'
        ? { url: `${e.gateway}/v1/chat/completions`, headers: { authorization: `Bearer ${opts.gatewayKey}` }, body: chatBody(opts.gatewayModel, opts.stream) }
        : { url: `${base(target)}/v1/chat/completions`, headers: upstreamHeaders, body: chatBody('gpt-bench', opts.stream) };

  return [
    {
      id: 'passthrough',
      title: 'non-streaming passthrough (chat → chat)',
      streaming: false,
      call: chat({ stream: false, gatewayModel: GATEWAY_MODELS.chat, gatewayKey: e.key }),
    },
    {
      id: 'stream',
      title: `streaming passthrough, ${STREAM_CHUNKS} chunks (chat → chat)`,
      streaming: true,
      call: chat({ stream: true, gatewayModel: GATEWAY_MODELS.chat, gatewayKey: e.key }),
    },
    {
      id: 'stream-cross',
      title: `streaming cross-format, ${STREAM_CHUNKS} chunks (Anthropic client → OpenAI upstream)`,
      streaming: true,
      // Direct and bare: the same Anthropic request answered natively by the mock's /v1/messages.
      call: (target): HttpCall =>
        target === 'gateway'
          ? {
              url: `${e.gateway}/v1/messages`,
              headers: { 'x-api-key': e.key, 'anthropic-version': '2023-06-01' },
              body: messagesBody(GATEWAY_MODELS.chat),
            }
          : { url: `${base(target)}/v1/messages`, headers: { ...upstreamHeaders, 'anthropic-version': '2023-06-01' }, body: messagesBody('claude-bench') },
    },
    {
      id: 'virtual-model',
      title: 'non-streaming through a two-target virtual model',
      streaming: false,
      call: chat({ stream: false, gatewayModel: GATEWAY_MODELS.virtual, gatewayKey: e.key }),
    },
    {
      id: 'body-logging',
      title: 'non-streaming with body logging on (key with logBodies)',
      streaming: false,
      call: chat({ stream: false, gatewayModel: GATEWAY_MODELS.chat, gatewayKey: e.loggingKey }),
    },
    {
      id: 'cache-hit',
      title: 'non-streaming response-cache hit (x-gateway-cache-ttl; direct and bare still call the mock)',
      streaming: false,
      // The first gateway request (a warm-up) stores the answer; every measured one is served from memory.
      call: (target): HttpCall => {
        const call = chat({ stream: false, gatewayModel: GATEWAY_MODELS.chat, gatewayKey: e.key })(target);
        return target === 'gateway' ? { ...call, headers: { ...call.headers, 'x-gateway-cache-ttl': '3600' } } : call;
      },
    },
  ];
}
