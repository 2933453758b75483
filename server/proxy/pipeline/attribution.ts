import type { IncomingHttpHeaders } from 'node:http';
import { invalidRequest } from '../../core/error.js';
import type { ProxyContext } from './context.js';

/** Longest end-user name and tag kept; longer values are refused rather than cut, so counters never merge two names. */
export const MAX_END_USER_LENGTH = 256;
export const MAX_TAG_LENGTH = 64;
export const MAX_TAGS = 20;

export const END_USER_HEADER = 'x-gateway-end-user';
export const TAGS_HEADER = 'x-gateway-tags';

export interface Attribution {
  endUser?: string;
  tags?: string[];
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function endUserFrom(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${field}: must be a string`, field);
  const name = value.trim();
  if (name.length > MAX_END_USER_LENGTH) throw invalidRequest(`${field}: at most ${MAX_END_USER_LENGTH} characters`, field);
  return name || undefined;
}

function tagsFrom(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!list || list.some((t) => typeof t !== 'string')) throw invalidRequest(`${field}: must be a list of strings or a comma-separated string`, field);
  const tags = (list as string[]).map((t) => t.trim()).filter(Boolean);
  const long = tags.find((t) => t.length > MAX_TAG_LENGTH);
  if (long !== undefined) throw invalidRequest(`${field}: a tag has at most ${MAX_TAG_LENGTH} characters`, field);
  return tags;
}

function metadataOf(body: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const metadata = body?.metadata;
  return metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : undefined;
}

/**
 * Who a request is for and how it is tagged. The end user: the `x-gateway-end-user`
 * header (set by the application's backend) first, then OpenAI's `user` field, then
 * Anthropic's `metadata.user_id`. Tags: `x-gateway-tags: a,b` and `metadata.tags`
 * (a list or a comma-separated string), together, without duplicates. Bad values
 * are a 400 naming the field, in the caller's format.
 */
export function attributionOf(headers: IncomingHttpHeaders, body: Record<string, unknown> | undefined): Attribution {
  const metadata = metadataOf(body);
  const endUser =
    endUserFrom(header(headers, END_USER_HEADER), END_USER_HEADER) ?? endUserFrom(body?.user, 'user') ?? endUserFrom(metadata?.user_id, 'metadata.user_id');
  const tags = [...new Set([...tagsFrom(header(headers, TAGS_HEADER), TAGS_HEADER), ...tagsFrom(metadata?.tags, 'metadata.tags')])];
  if (tags.length > MAX_TAGS) throw invalidRequest(`${TAGS_HEADER}: at most ${MAX_TAGS} tags a request`, TAGS_HEADER);
  return { endUser, tags: tags.length ? tags : undefined };
}

/** Sets the request's end user and tags from its headers and body (read once, before limits). */
export function attribute(ctx: ProxyContext): void {
  const { endUser, tags } = attributionOf(ctx.req.headers, ctx.body);
  ctx.endUser = endUser;
  ctx.tags = tags;
}
