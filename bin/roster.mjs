#!/usr/bin/env node
// `npx roster …` from the repository root: runs the server package's CLI (built by `npm run build`).
await import('../packages/server/dist/cli/main.js');
