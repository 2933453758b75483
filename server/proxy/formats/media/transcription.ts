/** What an OpenAI transcription answer says about its cost: seconds of audio (verbose_json, whisper usage) and tokens (gpt-4o-transcribe). */
export interface TranscriptionUsage {
  seconds?: number;
  inputTokens?: number;
  outputTokens?: number;
}

export function transcriptionUsage(answer: unknown): TranscriptionUsage {
  if (!answer || typeof answer !== 'object') return {};
  const a = answer as { duration?: unknown; usage?: Record<string, unknown> };
  const out: TranscriptionUsage = {};
  const usage = a.usage ?? {};
  if (isCount(a.duration)) out.seconds = a.duration;
  else if (usage.type === 'duration' && isCount(usage.seconds)) out.seconds = usage.seconds;
  if (isCount(usage.input_tokens)) out.inputTokens = usage.input_tokens;
  if (isCount(usage.output_tokens)) out.outputTokens = usage.output_tokens;
  return out;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
