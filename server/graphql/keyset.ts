import { badInput } from './errors.js';

/**
 * Keyset cursors for lists ordered newest first by (a timestamp, id): the
 * cursor is the position of a row, so a page is an index range however deep
 * it is, and rows written meanwhile neither repeat nor vanish between pages.
 */
export interface KeysetPosition {
  at: Date;
  id: string;
}

export function encodeKeyset(row: KeysetPosition): string {
  return Buffer.from(`${row.at.getTime()}:${row.id}`).toString('base64url');
}

export function decodeKeyset(cursor: string): KeysetPosition {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(/:(.*)/s);
  const at = new Date(Number(ms));
  if (!id || !/^\d+$/.test(ms ?? '') || Number.isNaN(at.getTime()))
    throw badInput('Invalid cursor: pass the endCursor or startCursor of a previous page', 'after');
  return { at, id };
}

/**
 * The where clause and order of one page over `field` (newest first), for the
 * arguments `resolveCursorConnection` hands over: `after` reads older rows,
 * `before` newer ones; an inverted page is read oldest first (and reversed by the caller).
 */
export function keysetPage<F extends string>(field: F, page: { after?: string; before?: string; inverted: boolean }) {
  const older = page.after ? decodeKeyset(page.after) : undefined;
  const newer = page.before ? decodeKeyset(page.before) : undefined;
  const bounds: Array<Record<string, unknown>> = [];
  if (older) bounds.push({ OR: [{ [field]: { lt: older.at } }, { [field]: older.at, id: { lt: older.id } }] });
  if (newer) bounds.push({ OR: [{ [field]: { gt: newer.at } }, { [field]: newer.at, id: { gt: newer.id } }] });
  const direction = page.inverted ? ('asc' as const) : ('desc' as const);
  return { bounds, orderBy: [{ [field]: direction }, { id: direction }] as Array<Record<F | 'id', 'asc' | 'desc'>> };
}
