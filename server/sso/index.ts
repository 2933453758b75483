export { registerSsoRoutes, SSO_CALLBACK_PATH, SSO_START_PATH, type SsoRouteDeps } from './routes.js';
export { groupsOf, roleFor } from './provision.js';
