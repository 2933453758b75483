import type { ContentPart } from './content.js';
import type { FinishReason } from './finish-reason.js';
import type { Usage } from './usage.js';

/** A complete (non-streamed) answer. `content` holds text, reasoning and tool_call parts in order. */
export interface CanonicalResponse {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  content: ContentPart[];
  finishReason: FinishReason;
  /** The stop sequence that matched, when the upstream says which. */
  stopSequence?: string;
  usage: Usage;
}
