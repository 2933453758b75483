import type { IncomingMessage, ServerResponse } from 'node:http';
import { currentUser } from '../auth/current-user.js';
import type { TokenIssuer } from '../auth/jwt.js';
import type { Db } from '../db/client.js';
import { BodyTimeoutError, BodyTooLargeError, readBody } from '../http/body.js';
import { clientIp } from '../http/client-ip.js';
import { sendJson } from '../http/json.js';
import type { Handler } from '../http/router.js';
import { MAX_BYTES } from './fetch.js';
import type { CatalogStatus } from './types.js';

/**
 * POST /admin/catalog/upload?name=<file name>, body: the catalog file as is, admin JWT as Bearer.
 * The same change as setCatalogSource(kind: UPLOAD), for files above the GraphQL body limit
 * (LiteLLM's file is about 1.4 MB and growing; /graphql takes 1 MB).
 */
export const CATALOG_UPLOAD_PATH = '/admin/catalog/upload';

export interface CatalogUploadDeps {
  db: Db;
  tokens: TokenIssuer;
  trustProxy: boolean;
  bodyTimeoutMs: number;
  /** The configuration service's upload (validates, stores the copy, saves the source setting, audits). */
  upload(actor: UploadActor, fileName: string, text: string): Promise<void>;
  /** A refusal of the upload (not a catalog, …), answered 400 with its message. */
  isRefusal(error: unknown): error is Error;
  status(): CatalogStatus;
}

/** The signed-in admin, as the audit log records a configuration change. */
export interface UploadActor {
  type: 'user';
  userId: string;
  email: string;
  ip?: string;
  userAgent?: string;
}

const refuse = (res: ServerResponse, status: number, message: string) => sendJson(res, status, { error: { message, status } });

export function catalogUploadRoute(deps: CatalogUploadDeps): Handler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers.authorization ?? '';
    const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : null;
    const user = await currentUser(deps.tokens, deps.db, token);
    if (!user) return refuse(res, 401, 'Sign in as an admin');
    if (user.role !== 'admin') return refuse(res, 403, 'Only admins change the catalog source');
    const name = new URL(req.url ?? '/', 'http://gateway').searchParams.get('name')?.trim().slice(0, 200) || 'catalog.json';
    let body: Buffer;
    try {
      body = await readBody(req, { maxBytes: MAX_BYTES, timeoutMs: deps.bodyTimeoutMs });
    } catch (error) {
      if (error instanceof BodyTooLargeError) return refuse(res, 413, error.message);
      if (error instanceof BodyTimeoutError) return refuse(res, 408, error.message);
      throw error;
    }
    const ua = req.headers['user-agent'];
    const actor: UploadActor = { type: 'user', userId: user.userId, email: user.email, ip: clientIp(req, deps.trustProxy) || undefined, userAgent: ua };
    try {
      await deps.upload(actor, name, body.toString('utf8'));
    } catch (error) {
      if (deps.isRefusal(error)) return refuse(res, 400, error.message);
      throw error;
    }
    sendJson(res, 200, { ok: true, status: deps.status() });
  };
}
