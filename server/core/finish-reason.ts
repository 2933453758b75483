/**
 * Why generation stopped, in one vocabulary:
 * - stop: natural end (OpenAI `stop`, Anthropic `end_turn`, Gemini `STOP`)
 * - stop_sequence: a caller's stop sequence matched (Anthropic tells which; OpenAI says `stop`)
 * - length: the token limit (OpenAI `length`, Anthropic `max_tokens`, Gemini `MAX_TOKENS`)
 * - tool_calls: the model wants tools run (OpenAI `tool_calls`, Anthropic `tool_use`)
 * - content_filter: safety / refusal (OpenAI `content_filter`, Anthropic `refusal`, Gemini `SAFETY`, …)
 * - pause: Anthropic `pause_turn` (a long-running turn the caller may continue)
 * - error: the upstream failed mid-answer
 */
export type FinishReason = 'stop' | 'stop_sequence' | 'length' | 'tool_calls' | 'content_filter' | 'pause' | 'error';
