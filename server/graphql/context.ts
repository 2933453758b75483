import type { AdminClaims } from '../auth/jwt.js';
import type { Services } from '../services.js';

/** Per-operation context: the caller (if logged in) and the gateway's services. */
export interface GraphQLContext {
  services: Services;
  user: AdminClaims | null;
  clientIp: string;
}
