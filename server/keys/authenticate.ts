import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../core/error.js';
import type { ConfigSnapshot, KeyEntry } from '../snapshot/types.js';
import { hashVirtualKey } from './virtual-key-token.js';

/** The key from `Authorization: Bearer …` or `x-api-key: …` (what the OpenAI and Anthropic SDKs send). */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1].trim();
  }
  const xKey = headers['x-api-key'];
  return typeof xKey === 'string' && xKey.trim() ? xKey.trim() : undefined;
}

const unauthorized = (message: string) => new GatewayError({ status: 401, kind: 'authentication', message, code: 'invalid_api_key' });

/**
 * Finds the virtual key in the in-memory snapshot by its SHA-256 hash (a map
 * lookup on a digest, so no secret is compared byte by byte). Never echoes the key.
 */
export function authenticate(headers: IncomingHttpHeaders, snapshot: ConfigSnapshot, now = Date.now()): KeyEntry {
  const key = presentedKey(headers);
  if (!key) throw unauthorized('Missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"');
  const entry = snapshot.keysByHash.get(hashVirtualKey(key));
  if (!entry) throw unauthorized('Invalid API key');
  if (entry.revoked) throw unauthorized('This API key has been revoked');
  if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
    throw unauthorized(entry.rotatedOut ? 'This API key was rotated and its grace period has ended: use the new key' : 'This API key has expired');
  }
  if (!entry.enabled) throw new GatewayError({ status: 403, kind: 'permission', message: 'This API key is disabled' });
  return entry;
}

export function mayUseModel(key: KeyEntry, model: string): boolean {
  if (key.team?.allowedModels && !key.team.allowedModels.has(model)) return false;
  return key.allowedModels === null || key.allowedModels.has(model);
}

export function authorizeModel(key: KeyEntry, model: string): void {
  if (key.team?.allowedModels && !key.team.allowedModels.has(model)) {
    throw new GatewayError({
      status: 403,
      kind: 'permission',
      message: `The team "${key.team.name}" of this API key is not allowed to use the model "${model}"`,
      code: 'model_not_allowed',
    });
  }
  if (!mayUseModel(key, model)) {
    throw new GatewayError({
      status: 403,
      kind: 'permission',
      message: `This API key is not allowed to use the model "${model}"`,
      code: 'model_not_allowed',
    });
  }
}
