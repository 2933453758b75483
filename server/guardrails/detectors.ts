import { isIPv6 } from 'node:net';
import { cnIdValid, ibanValid, luhnValid } from './checksums.js';

/**
 * Built-in detectors: a fixed JavaScript pattern each (written so that no input
 * makes it backtrack badly: every repetition is bounded or anchored on a
 * boundary), a cheap pre-check that skips the pattern on text that cannot hold
 * a match, and a validator (checksum) that drops look-alikes.
 */
export const DETECTORS = ['email', 'phone', 'payment_card', 'iban', 'cn_resident_id', 'ip_address', 'secret'] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** The PII set: everything but secrets. */
export const PII_DETECTORS: readonly DetectorName[] = ['email', 'phone', 'payment_card', 'iban', 'cn_resident_id', 'ip_address'];

export interface Detector {
  name: DetectorName;
  /** Placeholder label (`[EMAIL_1]`): capitals, digits and underscores. */
  label: string;
  /** A global pattern, or `scan` where a hand-written search is much cheaper. */
  pattern?: RegExp;
  scan?(text: string, found: (start: number, end: number) => void): void;
  precheck(text: string): boolean;
  valid?(match: string): boolean;
}

const digitsOf = (text: string) => text.replace(/[ -]/g, '');
const hasDigitRun = (min: number) => {
  const re = new RegExp(`\\d{${min}}`);
  return (text: string) => re.test(text);
};

const SECRET_SHAPES = [
  // OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…) and OpenAI-compatible providers
  String.raw`sk-[A-Za-z0-9_-]{20,200}`,
  // Google API keys
  String.raw`AIza[0-9A-Za-z_-]{35}`,
  // AWS access key ids
  String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}`,
  // GitHub tokens
  String.raw`gh[pousr]_[A-Za-z0-9]{36,255}`,
  // JSON Web Tokens (header.payload.signature, both JSON parts start with `{"`)
  String.raw`eyJ[A-Za-z0-9_-]{5,4000}\.eyJ[A-Za-z0-9_-]{5,8000}\.[A-Za-z0-9_-]{10,1000}`,
  // PEM private keys, the whole block
  String.raw`-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----[\s\S]{1,20000}?-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----`,
];

/** A character of an address's local part. */
const isLocal = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const EMAIL_DOMAIN = /(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/y;

/** E-mail addresses, found from each `@` outwards (a pattern tried at every position costs ten times more). */
function scanEmails(text: string, found: (start: number, end: number) => void): void {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && isLocal(text.charCodeAt(start - 1))) start--;
    if (start === at || (start > 0 && isLocal(text.charCodeAt(start - 1)))) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = EMAIL_DOMAIN.exec(text);
    if (!domain) continue;
    found(start, at + 1 + domain[0].length);
    at += domain[0].length;
  }
}

const TABLE: Record<DetectorName, Detector[]> = {
  email: [{ name: 'email', label: 'EMAIL', scan: scanEmails, precheck: (text) => text.includes('@') }],
  phone: [
    {
      name: 'phone',
      label: 'PHONE',
      // E.164 (+ and 8–15 digits, single spaces or dashes allowed between digits), or a
      // mainland-China mobile number (1[3-9] + 9 digits, optionally grouped 3-4-4).
      pattern: /(?<![\w+])\+[1-9](?:[ -]?\d){7,14}(?![\w])|(?<![\w+])1[3-9]\d(?:[ -]?\d{4}){2}(?!\w)/g,
      precheck: hasDigitRun(3),
    },
  ],
  payment_card: [
    {
      name: 'payment_card',
      label: 'CARD',
      pattern: /(?<![\w+-])\d(?:[ -]?\d){12,18}(?![\w])/g,
      precheck: hasDigitRun(4),
      valid: (match) => luhnValid(digitsOf(match)),
    },
  ],
  iban: [
    {
      name: 'iban',
      label: 'IBAN',
      pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g,
      precheck: hasDigitRun(2),
      valid: (match) => ibanValid(match.replace(/ /g, '')),
    },
  ],
  cn_resident_id: [
    {
      name: 'cn_resident_id',
      label: 'CN_ID',
      pattern: /(?<![\w])[1-9]\d{16}[\dXx](?![\w])/g,
      precheck: hasDigitRun(17),
      valid: cnIdValid,
    },
  ],
  ip_address: [
    {
      name: 'ip_address',
      label: 'IP',
      pattern: /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)/g,
      precheck: (text) => /\d\.\d{1,3}\.\d/.test(text),
    },
    {
      // An IPv6 candidate (hex groups and colons), confirmed by node:net.
      name: 'ip_address',
      label: 'IP',
      pattern: /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g,
      precheck: (text) => text.includes('::') || /[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:/.test(text),
      valid: (match) => match.length > 2 && isIPv6(match),
    },
  ],
  secret: [
    {
      name: 'secret',
      label: 'SECRET',
      pattern: new RegExp(`(?<![A-Za-z0-9_-])(?:${SECRET_SHAPES.join('|')})(?![A-Za-z0-9_-])`, 'g'),
      precheck: (text) => /sk-|AIza|AKIA|ASIA|gh[pousr]_|eyJ|-----BEGIN/.test(text),
    },
  ],
};

export function detectors(name: DetectorName): readonly Detector[] {
  return TABLE[name];
}

export const isDetectorName = (value: string): value is DetectorName => (DETECTORS as readonly string[]).includes(value);
