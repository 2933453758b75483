import { mailOptions } from './smtp.js';

/**
 * What a channel may be saved with, the same for the admin API and a
 * configuration file: webhooks and bots over http(s), mail through an
 * smtp(s):// server with a sender and recipients. Returns the problem, or
 * undefined when the channel is fine.
 */
export function channelUrlProblem(kind: string, value: string): string | undefined {
  try {
    new URL(value);
  } catch {
    return 'url: must be an absolute URL';
  }
  if (kind === 'smtp') return /^smtps?:\/\//.test(value) ? undefined : 'url: must be smtp://… or smtps://…';
  return /^https?:\/\//.test(value) ? undefined : 'url: must be an http(s) URL';
}

export function channelOptionsProblem(kind: string, options: unknown): string | undefined {
  if (kind !== 'smtp') return undefined;
  const mail = mailOptions(options && typeof options === 'object' ? (options as Record<string, unknown>) : undefined);
  return typeof mail === 'string' ? mail : undefined;
}
