// One column of the playground: a model, its own conversation and its last answer (two side by side to compare).
import type { PlaygroundLogQuery } from '$lib/graphql/generated/graphql';
import type { ChatMessage, ToolCall } from './formats';
import type { TurnResult } from './send-turn';

export type LogRow = PlaygroundLogQuery['requestLogs']['nodes'][number];

export interface Lane {
  model: string;
  messages: ChatMessage[];
  /** The answer while it streams in. */
  answer: string;
  calls: ToolCall[];
  sending: boolean;
  error: string;
  result: TurnResult | null;
  log: LogRow | null;
  /** The log row shown for the previous turn: a quick next turn must not be shown its numbers. */
  previousLogId: string | null;
}

export const newLane = (model: string): Lane => ({
  model,
  messages: [],
  answer: '',
  calls: [],
  sending: false,
  error: '',
  result: null,
  log: null,
  previousLogId: null,
});
