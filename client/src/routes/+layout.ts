// A client-only admin app: the gateway serves the built files and the SPA fallback page.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
