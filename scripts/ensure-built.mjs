// `npm start` runs this first: an incremental TypeScript build, which is quick when nothing changed,
// so a fresh clone (`npm ci && npm start`) and an edited checkout both serve current code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const result = spawnSync('npx', ['tsc', '-b', 'packages/protocol', 'packages/server'], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

// The SDK too (ES modules and the CommonJS build), so `import '@roster/sdk/node'` works from a checkout.
const sdk = spawnSync('npm', ['run', 'build', '-w', '@roster/sdk'], { stdio: 'inherit' });
if (sdk.status !== 0) process.exit(sdk.status ?? 1);

// The dashboard (served at /): built when missing or older than its sources.
const dashboard = 'packages/dashboard';
const built = path.join(dashboard, 'dist/index.html');
const newest = (p) =>
  statSync(p).isDirectory()
    ? Math.max(0, ...readdirSync(p).map((f) => newest(path.join(p, f))))
    : statSync(p).mtimeMs;
if (
  existsSync(dashboard) &&
  (!existsSync(built) || newest(path.join(dashboard, 'src')) > statSync(built).mtimeMs)
) {
  const dash = spawnSync('npm', ['run', 'build', '-w', '@roster/dashboard'], { stdio: 'inherit' });
  process.exit(dash.status ?? 1);
}
