import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './env.js';

/**
 * Outside production, secrets that were not configured are generated once and
 * kept in the data folder, so restarts keep sessions and can still decrypt
 * provider keys. Production refuses to start without them (see env.ts).
 */
export function resolveInstanceSecrets(config: Config): { jwtSecret: string; encryptionKey: string } {
  return {
    jwtSecret: config.jwtSecret ?? readOrCreate(config.dataDir, 'jwt-secret'),
    encryptionKey: config.encryptionKey ?? readOrCreate(config.dataDir, 'encryption-key'),
  };
}

function readOrCreate(dir: string, name: string): string {
  const file = path.join(dir, name);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
