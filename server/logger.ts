import { pino, type DestinationStream, type Logger } from 'pino';
import { scrubText } from './secrets/redactor.js';

/**
 * Structured JSON logs. Credential fields are censored by path, and every
 * finished line goes through the one scrubber, so a configured secret or a
 * key-shaped string inside a message or an error's text never reaches the log.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers["api-key"]',
        'headers.authorization',
        'headers["x-api-key"]',
        '*.apiKey',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
    hooks: { streamWrite: (line: string) => scrubText(line) },
  };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };
