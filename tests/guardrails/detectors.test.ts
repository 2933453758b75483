/**
 * The detectors and their checksums: known good and bad values, fast-check
 * properties for the checksum detectors (a valid number is found in any
 * surrounding text; one changed digit is not), custom RE2 patterns and word
 * lists, and the cost on a typical 2 KB prompt with the PII set.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { cnIdCheckChar, cnIdValid, ibanValid, luhnValid } from '../../server/guardrails/checksums.js';
import { PII_DETECTORS, type DetectorName } from '../../server/guardrails/detectors.js';
import { compileFinder } from '../../server/guardrails/find.js';
import { applyToText } from '../../server/guardrails/apply-text.js';
import { PlaceholderMap } from '../../server/guardrails/placeholders.js';
import { rewriteRequestTexts } from '../../server/guardrails/request-texts.js';
import type { CanonicalRequest } from '../../server/core/index.js';

const finder = (detectors: DetectorName[]) => compileFinder({ detectors, patterns: [], words: [] });
const found = (detectors: DetectorName[], text: string) => finder(detectors)(text).map((s) => [s.label, text.slice(s.start, s.end)]);

/** The Luhn check digit that makes `body` valid. */
function luhnComplete(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

/** The two check digits that make an IBAN of `country` + `bban` valid. */
function ibanComplete(country: string, bban: string): string {
  const numeric = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let r = 0;
  for (const ch of numeric) r = (r * 10 + Number(ch)) % 97;
  return `${country}${String(98 - r).padStart(2, '0')}${bban}`;
}

describe('checksums', () => {
  test('known values', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true); // Amex test number
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
    expect(cnIdValid('11010519491231002X')).toBe(true);
    expect(cnIdValid('110105194912310021')).toBe(false);
    expect(cnIdValid('110105194902300024')).toBe(false); // 30 February
  });

  const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''));
  const filler = fc.stringMatching(/^[a-z ,.!?]{0,40}$/).map((s) => ` ${s} `);

  test('a Luhn-valid card number is found in any text, and one changed digit is not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), digits(11, 17), filler, filler, fc.nat(), (first, body, before, after, pick) => {
        const card = luhnComplete(`${first}${body}`);
        expect(found(['payment_card'], `${before}${card}${after}`)).toEqual([['CARD', card]]);
        const i = pick % card.length;
        const changed = card.slice(0, i) + String((Number(card[i]) + 1 + (pick % 8)) % 10) + card.slice(i + 1);
        if (changed !== card && !luhnValid(changed)) expect(found(['payment_card'], `${before}${changed}${after}`)).toEqual([]);
      }),
    );
  });

  test('an IBAN with good check digits is found (grouped or not), one changed character is not', () => {
    fc.assert(
      fc.property(fc.constantFrom('DE', 'FR', 'GB', 'NL', 'ES'), digits(14, 26), fc.boolean(), filler, fc.nat(), (country, bban, grouped, around, pick) => {
        const iban = ibanComplete(country, bban);
        expect(ibanValid(iban)).toBe(true);
        const written = grouped ? iban.replace(/(.{4})(?=.)/g, '$1 ') : iban;
        expect(found(['iban'], `${around}${written}${around}`)).toEqual([['IBAN', written]]);
        const i = 4 + (pick % (iban.length - 4));
        const changed = iban.slice(0, i) + String((Number(iban[i]) + 1) % 10) + iban.slice(i + 1);
        expect(ibanValid(changed)).toBe(false); // mod 97 catches every single-digit change
      }),
    );
  });

  test('a resident ID with its MOD 11-2 character is found; any other last character is not', () => {
    const date = fc
      .date({ min: new Date('1930-01-01'), max: new Date('2020-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10).replace(/-/g, ''));
    fc.assert(
      fc.property(fc.integer({ min: 110000, max: 659999 }), date, digits(3, 3), filler, (region, birth, seq, around) => {
        const first17 = `${region}${birth}${seq}`;
        const id = first17 + cnIdCheckChar(first17);
        expect(found(['cn_resident_id'], `${around}${id}${around}`)).toEqual([['CN_ID', id]]);
        for (const wrong of '0123456789X') if (wrong !== id[17]) expect(cnIdValid(first17 + wrong)).toBe(false);
      }),
    );
  });
});

describe('detectors', () => {
  test('e-mail addresses', () => {
    expect(found(['email'], 'write to jane.doe+tag@mail.example.co.uk, or bob@example.org.')).toEqual([
      ['EMAIL', 'jane.doe+tag@mail.example.co.uk'],
      ['EMAIL', 'bob@example.org'],
    ]);
    expect(found(['email'], 'no @ here, nor user@localhost')).toEqual([]);
  });

  test('phone numbers: E.164 (with or without separators) and mainland-China mobiles', () => {
    expect(found(['phone'], 'call +14155552671 or +86 138 0013 8000, 手机13912345678，或 139-1234-5678')).toEqual([
      ['PHONE', '+14155552671'],
      ['PHONE', '+86 138 0013 8000'],
      ['PHONE', '13912345678'],
      ['PHONE', '139-1234-5678'],
    ]);
    expect(found(['phone'], 'order 12345678901 and 1234 and +12')).toEqual([]);
  });

  test('payment cards are Luhn-checked (spaces and dashes allowed)', () => {
    expect(found(['payment_card'], 'card 4111 1111 1111 1111 exp 12/29; 5500-0000-0000-0004; not 4111 1111 1111 1112')).toEqual([
      ['CARD', '4111 1111 1111 1111'],
      ['CARD', '5500-0000-0000-0004'],
    ]);
  });

  test('IP addresses, v4 and v6', () => {
    expect(found(['ip_address'], 'hosts 10.0.0.1, 192.168.1.254 and 2001:db8::ff00:42:8329 and ::1; not 999.1.1.1 nor 12:30:45')).toEqual([
      ['IP', '10.0.0.1'],
      ['IP', '192.168.1.254'],
      ['IP', '2001:db8::ff00:42:8329'],
      ['IP', '::1'],
    ]);
  });

  test('secrets: provider key shapes, AWS, JWT, PEM private keys', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----';
    const text = `keys: sk-proj-abcdefghijklmnopqrstuvwx sk-ant-api03-abcdefghijklmnopqrstuvwxyz AIzaSyA1234567890abcdefghijklmnopqrstuv AKIAIOSFODNN7EXAMPLE ${jwt}\n${pem}\nnot sk-short`;
    expect(found(['secret'], text).map(([, v]) => v)).toEqual([
      'sk-proj-abcdefghijklmnopqrstuvwx',
      'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
      'AKIAIOSFODNN7EXAMPLE',
      jwt,
      pem,
    ]);
  });

  test('a resident ID is not also taken for a card; overlapping finds keep the first', () => {
    const spans = found(PII_DETECTORS as DetectorName[], 'ID 11010519491231002X, mail a@b.io');
    expect(spans).toEqual([
      ['CN_ID', '11010519491231002X'],
      ['EMAIL', 'a@b.io'],
    ]);
  });

  test('custom RE2 patterns and word lists (ASCII words stand alone, Chinese words match anywhere)', () => {
    const find = compileFinder({
      detectors: [],
      patterns: [{ label: 'TICKET', pattern: 'TCK-\\d{4}', caseSensitive: false }],
      words: ['Project Falcon', '机密'],
    });
    const text = 'see tck-1234 about project falcon (not falconry), 这是机密文件';
    expect(find(text).map((s) => [s.label, text.slice(s.start, s.end)])).toEqual([
      ['TICKET', 'tck-1234'],
      ['WORD', 'project falcon'],
      ['WORD', '机密'],
    ]);
    expect(() => compileFinder({ detectors: [], patterns: [{ label: 'X', pattern: '(a)\\1', caseSensitive: true }], words: [] })).toThrow(/not supported/);
    // RE2 counts code points: positions stay right after emoji (two UTF-16 units each).
    const emoji = '中文😀 TCK-4242 和 😀😀 TCK-7777 机密';
    expect(find(emoji).map((s) => [s.label, emoji.slice(s.start, s.end)])).toEqual([
      ['TICKET', 'TCK-4242'],
      ['TICKET', 'TCK-7777'],
      ['WORD', '机密'],
    ]);
  });

  test('no input makes a detector slow (long runs of near-matches)', () => {
    const all = finder([...PII_DETECTORS, 'secret'] as DetectorName[]);
    for (const text of [
      'a'.repeat(100_000) + '@',
      '1'.repeat(100_000),
      '1 '.repeat(50_000),
      ':'.repeat(100_000),
      'A1'.repeat(50_000),
      'eyJ'.repeat(30_000),
      '-----BEGIN PRIVATE KEY-----'.repeat(2_000),
    ]) {
      const started = performance.now();
      all(text);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  test('cost on a typical 2 KB prompt with the PII set (goal: under 50 µs added per request)', () => {
    const base =
      'Hello, I am writing about my order. My name is Jane Doe and you can reach me at jane.doe@example.com or on +1 415 555 2671. ' +
      'I paid with my card but the charge appeared twice on my statement, and I would like one of them refunded to the same account. ' +
      'The order was placed last Tuesday from our office network, and the delivery address is the one on file. Please confirm by mail. ';
    const prompt = base.repeat(Math.ceil(2048 / base.length)).slice(0, 2048);
    const find = finder(PII_DETECTORS as DetectorName[]);
    for (let i = 0; i < 2_000; i++) find(prompt); // warm-up (JIT)
    const runs = 5_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) find(prompt);
    const micros = Number(process.hrtime.bigint() - started) / runs / 1000;
    console.log(`guardrails: PII set on a 2 KB prompt: ${micros.toFixed(1)} µs per scan`);
    expect(find(prompt).length).toBeGreaterThan(0);
    // A shared 2-core machine is noisy: the assertion leaves headroom, the printed figure is the measurement.
    expect(micros).toBeLessThan(250);

    // The whole request stage: every text of a canonical request masked (placeholders included).
    const request = (): CanonicalRequest => ({
      model: 'm',
      stream: false,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'You are a helpful support agent.' }] },
        { role: 'user', content: [{ type: 'text', text: prompt }] },
      ],
    });
    const mask = (r: CanonicalRequest) => {
      const map = new PlaceholderMap();
      rewriteRequestTexts(r, (text) => applyToText(find, 'mask', text, map).text);
    };
    for (let i = 0; i < 2_000; i++) mask(request());
    const requests = Array.from({ length: runs }, request);
    const began = process.hrtime.bigint();
    for (const r of requests) mask(r);
    const perRequest = Number(process.hrtime.bigint() - began) / runs / 1000;
    console.log(`guardrails: masking a 2 KB request with the PII set: ${perRequest.toFixed(1)} µs added per request`);
    expect(requests[0].messages[1].content[0]).toMatchObject({ text: expect.stringContaining('[EMAIL_1]') });
    expect(perRequest).toBeLessThan(300);
  });
});
