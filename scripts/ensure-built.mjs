// `npm start` runs this first: an incremental TypeScript build, which is quick when nothing changed,
// so a fresh clone (`npm ci && npm start`) and an edited checkout both serve current code.
import { spawnSync } from 'node:child_process';

const result = spawnSync('npx', ['tsc', '-b', 'packages/protocol', 'packages/server'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
