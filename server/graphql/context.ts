import type { AdminClaims } from '../auth/jwt.js';
import type { GraphqlDeps } from './deps.js';

/** Per-operation context: the caller (if logged in) and the gateway's services. */
export interface GraphQLContext {
  services: GraphqlDeps;
  user: AdminClaims | null;
  clientIp: string;
  /** The caller's User-Agent header (the audit log's "from where"). */
  userAgent?: string;
}
