import { randomUUID } from 'node:crypto';
import type { ConfigSnapshot } from './types.js';
import { redactor, type Redactor } from '../secrets/redactor.js';

/**
 * Every secret a configuration snapshot holds: provider API keys and provider
 * header values (all write-only), and the extra header values of models'
 * request defaults (an admin may put a per-model credential there too).
 */
export function snapshotSecrets(snapshot: ConfigSnapshot): string[] {
  const out: string[] = [];
  for (const provider of snapshot.providersById.values()) {
    if (provider.apiKey) out.push(provider.apiKey, ...credentialParts(provider.apiKey));
    for (const value of Object.values(provider.headers)) if (typeof value === 'string') out.push(value);
  }
  for (const model of snapshot.modelsByName.values()) {
    const headers = model.requestDefaults.headers;
    if (headers && typeof headers === 'object') for (const value of Object.values(headers)) if (typeof value === 'string') out.push(value);
  }
  return out;
}

/** Fields of a JSON credential (service-account key file, AWS credentials) that are secrets on their own. */
const SECRET_FIELDS = ['private_key', 'secretAccessKey', 'SecretAccessKey', 'sessionToken', 'SessionToken', 'client_secret'];

/** A JSON credential in an API key field: its secret fields too, since a leak would quote one, not the whole file. */
function credentialParts(apiKey: string): string[] {
  if (!apiKey.trimStart().startsWith('{')) return [];
  try {
    const json = JSON.parse(apiKey) as Record<string, unknown>;
    const holder = json.Credentials && typeof json.Credentials === 'object' ? (json.Credentials as Record<string, unknown>) : json;
    const parts = SECRET_FIELDS.map((f) => holder[f]).filter((v): v is string => typeof v === 'string');
    // A PEM key may be quoted line by line; its base64 lines are secrets as well.
    const pem = typeof holder.private_key === 'string' ? holder.private_key.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----')) : [];
    return [...parts, ...pem];
  } catch {
    return [];
  }
}

export interface InstanceSecretSources {
  /** Subscribes to snapshot rebuilds; returns the unsubscribe function. */
  onSnapshot(listener: (snapshot: ConfigSnapshot) => void): () => void;
  current: ConfigSnapshot;
  /** JWT secret, encryption key, metrics token: fixed for the life of the process. */
  fixed: ReadonlyArray<string | undefined>;
}

/**
 * Keeps one instance's secrets registered with the scrubber: the fixed ones
 * once, the snapshot's on every rebuild (so a new provider key is scrubbed
 * from the next error on). Returns what `close` must call.
 */
export function trackInstanceSecrets(
  sources: InstanceSecretSources,
  target: Redactor = redactor,
): { release: () => void; setMonitoringKey: (key: string | null) => void } {
  const id = randomUUID();
  target.set(`${id}:fixed`, sources.fixed);
  target.set(`${id}:snapshot`, snapshotSecrets(sources.current));
  const unsubscribe = sources.onSnapshot((snapshot) => target.set(`${id}:snapshot`, snapshotSecrets(snapshot)));
  return {
    setMonitoringKey: (key) => target.set(`${id}:monitoring`, [key]),
    release: () => {
      unsubscribe();
      for (const part of ['fixed', 'snapshot', 'monitoring']) target.delete(`${id}:${part}`);
    },
  };
}
