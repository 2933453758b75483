import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: the gateway serves build/ and answers unknown paths with 200.html.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: '200.html', strict: true }),
  },
};
