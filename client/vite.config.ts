import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `npm run dev:client` talks to a gateway started with `npm run dev` (port 3000 by default).
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/graphql': { target: gateway, ws: true, changeOrigin: true },
      '/v1': { target: gateway, changeOrigin: true },
      '/public': { target: gateway, changeOrigin: true },
      '/healthz': { target: gateway, changeOrigin: true },
    },
  },
});
