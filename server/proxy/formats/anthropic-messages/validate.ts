import { invalidRequest } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';

/** Small guards that throw a 400 naming the offending field (Anthropic style: `messages.0.content`). */

export function requireRecord(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalidRequest(`${field}: Input should be an object`, field);
  return value;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalidRequest(`${field}: Field required as a string`, field);
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, field);
}

export function optionalNumber(value: unknown, field: string, min?: number, max?: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidRequest(`${field}: Input should be a number`, field);
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw invalidRequest(`${field}: must be between ${min ?? '-inf'} and ${max ?? 'inf'}`, field);
  }
  return value;
}

export function requirePositiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidRequest(`${field}: Field required as a positive integer`, field);
  }
  return value;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${field}: Input should be a boolean`, field);
  return value;
}

export function requireArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw invalidRequest(`${field}: Input should be a list`, field);
  return value;
}
