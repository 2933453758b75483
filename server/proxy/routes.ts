import type { Router } from '../http/router.js';
import type { Services } from '../services.js';

/** The /v1 API. Filled in by the proxy pipeline. */
export function registerProxyRoutes(_router: Router, _services: Services): void {}
