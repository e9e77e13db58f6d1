// dist/cjs holds CommonJS `.js` files inside a `"type": "module"` package: this nested package.json
// tells Node, bundlers and TypeScript to read that folder as CommonJS.
import { mkdirSync, writeFileSync } from 'node:fs';

const dir = new URL('../dist/cjs/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('package.json', dir), '{ "type": "commonjs" }\n');
