import type { ContentPart } from './content.js';

/**
 * Roles of the canonical conversation. `system` and `developer` messages may stand
 * anywhere (as in OpenAI); formats with a single top-level system prompt
 * (Anthropic, Gemini) gather them. `tool` messages hold only tool_result parts.
 */
export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface Message {
  role: Role;
  content: ContentPart[];
  /** OpenAI's optional participant name. */
  name?: string;
}
