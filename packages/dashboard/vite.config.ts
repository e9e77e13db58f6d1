import { defineConfig } from 'vite';

// Preact through Vite's own JSX transform (no plugin): `h`/`Fragment` come from preact/jsx-runtime.
// `npm run dev -w @roster/dashboard` proxies the API to a `roster serve` on :8080.
//
// Each page is its own chunk (app/routes.tsx loads it on first visit). What pages share is grouped
// rather than split into a dozen tiny chunks: `common` (Preact, the API client, hooks, models,
// small components), `builder` (the conditions builder's editors, fetched when one is shown) and
// `charts`. The groups take only their own modules, not their dependencies, which stay in `common`.
const groups = [
  {
    name: 'common',
    test: /[\\/](node_modules[\\/]preact|src[\\/](lib|api|data|models|components)[\\/])/,
    priority: 1,
  },
  { name: 'builder', test: /[\\/]src[\\/]components[\\/]conditions[\\/]/, priority: 3 },
  { name: 'charts', test: /[\\/]src[\\/](components[\\/]charts[\\/]|models[\\/]chart\.ts)/, priority: 2 },
];

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: { codeSplitting: { includeDependenciesRecursively: false, groups } },
    },
  },
  server: { proxy: { '/v1': 'http://localhost:8080' } },
});
