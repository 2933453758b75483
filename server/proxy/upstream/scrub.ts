/**
 * Removes credentials from text that may reach a client or a log: the
 * provider's own key wherever it appears, and anything shaped like an API key.
 */
const KEY_SHAPES = /\b(sk-[A-Za-z0-9_*-]{8,}|sk-ant-[A-Za-z0-9_*-]{8,}|AIza[0-9A-Za-z_-]{20,}|xai-[A-Za-z0-9]{16,}|gsk_[A-Za-z0-9]{16,})/g;

export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
  }
  return out.replace(KEY_SHAPES, '[redacted]');
}
