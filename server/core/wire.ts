/** The client APIs the gateway accepts (ingress side of a wire format). */
export type ClientApi = 'chat-completions' | 'responses' | 'messages';

/** The wire formats the gateway speaks to providers (egress side). */
export type UpstreamWire = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini' | 'bedrock-converse' | 'bedrock-anthropic';
