import { defineConfig } from 'vite';

// Preact through Vite's own JSX transform (no plugin): `h`/`Fragment` come from preact/jsx-runtime.
// `npm run dev -w @roster/dashboard` proxies the API to a `roster serve` on :8080.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/v1': 'http://localhost:8080' } },
});
