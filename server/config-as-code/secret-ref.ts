import { SECRET_REF } from './schema.js';

export const envRef = (name: string) => `\${env:${name}}`;

export function parseEnvRef(value: string): string | undefined {
  return SECRET_REF.exec(value)?.[1];
}

/** `OPENAI_API_KEY` for provider "openai"; `OPENAI_X_ORG` for its header X-Org. */
export function suggestedEnvName(providerName: string, header?: string): string {
  const word = (s: string) =>
    s
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
  const base = word(providerName) || 'PROVIDER';
  const name = header ? `${base}_${word(header)}` : `${base}_API_KEY`;
  return /^[0-9]/.test(name) ? `_${name}` : name;
}
