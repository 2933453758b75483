import { optionalString, requiredString } from './fields.js';

/** POST /v1/audio/speech: the text to speak is what is billed (per 1000 characters). */
export interface SpeechRequest {
  input: string;
  voice?: string;
  /** Characters of `input` as code points, as speech is billed. */
  characters: number;
}

export function decodeSpeechRequest(body: Record<string, unknown>): SpeechRequest {
  const input = requiredString(body, 'input');
  return { input, voice: optionalString(body, 'voice'), characters: [...input].length };
}
