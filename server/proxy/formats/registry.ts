import type { ClientApi, UpstreamWire } from '../../core/wire.js';
import type { ClientFormat, UpstreamFormat } from './format.js';
import { anthropicClient, anthropicUpstream } from './anthropic-messages/index.js';
import { bedrockAnthropicUpstream } from './bedrock-anthropic/index.js';
import { bedrockConverseUpstream } from './bedrock-converse/index.js';
import { geminiUpstream } from './gemini/index.js';
import { openAIChatClient, openAIChatUpstream } from './openai-chat/index.js';
import { openAIResponsesClient, openAIResponsesUpstream } from './openai-responses/index.js';

/** Client APIs by name: one decoder/encoder pair each. */
export const CLIENT_FORMATS: Record<ClientApi, ClientFormat> = {
  'chat-completions': openAIChatClient,
  responses: openAIResponsesClient,
  messages: anthropicClient,
};

/** Provider wire formats by name: one encoder/decoder pair each. */
export const UPSTREAM_FORMATS: Record<UpstreamWire, UpstreamFormat> = {
  'openai-chat': openAIChatUpstream,
  'openai-responses': openAIResponsesUpstream,
  'anthropic-messages': anthropicUpstream,
  gemini: geminiUpstream,
  'bedrock-converse': bedrockConverseUpstream,
  'bedrock-anthropic': bedrockAnthropicUpstream,
};

/** The wire format each client API speaks natively: same on both sides means passthrough. */
export const NATIVE_WIRE: Record<ClientApi, UpstreamWire> = {
  'chat-completions': 'openai-chat',
  responses: 'openai-responses',
  messages: 'anthropic-messages',
};
