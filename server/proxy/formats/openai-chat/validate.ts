import { invalidRequest } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';

/**
 * Small typed readers for request validation. Each throws a 400 that names the
 * offending field with the OpenAI path style (`messages[2].content`), so every
 * OpenAI-family decoder reports errors the same way.
 */

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function wrongType(param: string, expected: string, value: unknown): never {
  throw invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${typeName(value)}.`, param);
}

export function requireRecord(value: unknown, param: string): Record<string, unknown> {
  if (!isRecord(value)) wrongType(param, 'an object', value);
  return value;
}

export function requireString(value: unknown, param: string): string {
  if (typeof value !== 'string') wrongType(param, 'a string', value);
  return value;
}

export function optString(value: unknown, param: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, param);
}

export function optBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') wrongType(param, 'a boolean', value);
  return value;
}

export function optNumber(value: unknown, param: string, min?: number, max?: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) wrongType(param, 'a number', value);
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw invalidRequest(`Invalid '${param}': ${value} is out of range [${min ?? '-inf'}, ${max ?? 'inf'}].`, param);
  }
  return value;
}

export function optInteger(value: unknown, param: string, min?: number): number | undefined {
  const n = optNumber(value, param);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n)) wrongType(param, 'an integer', value);
  if (min !== undefined && n < min) {
    throw invalidRequest(`Invalid '${param}': integer below minimum value. Expected a value >= ${min}, but got ${n} instead.`, param);
  }
  return n;
}

export function requireArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) wrongType(param, 'an array', value);
  return value;
}

export function optRecord(value: unknown, param: string): Record<string, unknown> | undefined {
  return value === undefined || value === null ? undefined : requireRecord(value, param);
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], param: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidRequest(`Invalid value for '${param}': expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, but got ${JSON.stringify(value)}.`, param);
  }
  return value as T;
}

/** `{ k: string }` metadata as OpenAI defines it (string values only). */
export function optMetadata(value: unknown, param: string): Record<string, unknown> | undefined {
  const record = optRecord(value, param);
  if (!record) return undefined;
  for (const [key, v] of Object.entries(record)) requireString(v, `${param}.${key}`);
  return record;
}

/** A JSON Schema object; an absent schema means "no parameters". */
export function optSchema(value: unknown, param: string): Record<string, unknown> | undefined {
  return optRecord(value, param);
}

/** OpenAI: omitting `parameters` defines a function with an empty parameter list. */
export function emptyParameters(): Record<string, unknown> {
  return { type: 'object', properties: {} };
}
