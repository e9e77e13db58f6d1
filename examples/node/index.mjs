// From a checkout after `npm start` or `npm run build` (both build the SDK), against a Roster server
// (or Customer.io, with region instead of the URL):
//   ROSTER_SITE_ID=site ROSTER_API_KEY=key ROSTER_URL=http://localhost:8080 node examples/node/index.mjs
// In your own project, after `npm install ./roster-sdk-0.1.0.tgz` (packages/sdk/README.md "Install"),
// the import is the same.
import { createRoster } from '@roster/sdk/node';

const roster = createRoster({
  siteId: process.env.ROSTER_SITE_ID ?? 'site',
  apiKey: process.env.ROSTER_API_KEY ?? 'key',
  trackingApiUrl: process.env.ROSTER_URL ?? 'http://localhost:8080',
  storageDir: new URL('./.roster', import.meta.url).pathname,
  logLevel: 'info',
});

roster.on('sent', (e) => console.log(`sent ${e.ops.length} op(s)`));
roster.on('dropped', (e) => console.log(`dropped ${e.ops.length} op(s): ${e.reason}`));
roster.on('paused', (e) => console.log(`paused until ${new Date(e.until).toISOString()}`));

await roster.track('cli_started'); // anonymous: merged into the person below
await roster.identify('ada@example.com', { first_name: 'Ada' });
await roster.registerDeviceToken('example-token');
await roster.setDeviceAttributes({ shell: { name: 'zsh' } });
await roster.track('report_generated', { rows: 42 });

// Never rejects: if the server is down, what was not sent stays on disk for the next run.
console.log(await roster.shutdown({ timeoutMs: 3000 }));
console.log(await roster.getState());
