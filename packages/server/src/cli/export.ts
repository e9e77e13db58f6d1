import fs from 'node:fs';
import { systemClock } from '../lib/clock.js';
import { runExport, type ExportFormat, type ExportWhat } from '../ops/bulk/export.js';
import { pickWorkspace } from '../ops/bulk/workspace-pick.js';
import { InvalidInputError } from '../lib/errors.js';
import { createServices } from '../services/services.js';
import { openStore } from '../store/open-store.js';
import { commandArgs, requireExistingStore } from './args.js';
import { storeConfig } from './config.js';
import { stderrLog } from './stderr-log.js';

const USAGE = `usage:
  roster export [people|events] [--format jsonl|csv] [--filter '<json>'] [--output FILE]
                [--site-id SITE_ID] [--data DIR] [--database-url URL]
  people (default) come with their devices; --filter takes the segments' condition language, e.g.
  '{"attribute":{"field":"plan","operator":"eq","value":"pro"}}' (for events: the people whose events).
  Writes to stdout unless --output is given (the format then defaults from its extension).`;

/** `roster export`: streams people (with devices) or events as JSON Lines or CSV. */
export async function exportCommand(args: string[]): Promise<number> {
  const parsed = commandArgs('export', USAGE, args, {
    format: { type: 'string' },
    filter: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'site-id': { type: 'string' },
    data: { type: 'string' },
    'database-url': { type: 'string' },
  });
  if (!parsed.ok) return parsed.code;
  const { values, positionals } = parsed;
  const what = (positionals[0] ?? 'people') as ExportWhat;
  if (positionals.length > 1 || (what !== 'people' && what !== 'events')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const format = (values.format ??
    (values.output && /\.csv$/i.test(values.output) ? 'csv' : 'jsonl')) as ExportFormat;
  if (format !== 'jsonl' && format !== 'csv') throw new Error('--format must be jsonl or csv');
  let filter: unknown;
  if (values.filter !== undefined) {
    try {
      filter = JSON.parse(values.filter) as unknown;
    } catch (err) {
      throw new Error(`--filter is not valid JSON: ${(err as Error).message}`);
    }
  }
  const config = storeConfig({ data: values.data, 'database-url': values['database-url'] });
  requireExistingStore(config);
  const store = await openStore({ ...config, migrationLog: stderrLog });
  const out = values.output ? fs.createWriteStream(values.output) : process.stdout;
  try {
    const workspace = await pickWorkspace(createServices(store, systemClock), values['site-id']);
    const count = await runExport(store, systemClock, { what, format, workspace, filter, out });
    if (values.output) {
      await new Promise<void>((resolve, reject) =>
        (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
    }
    process.stderr.write(`exported ${count} ${what}${values.output ? ` to ${values.output}` : ''}\n`);
    return 0;
  } catch (err) {
    if (err instanceof InvalidInputError) throw new Error(`--filter ${err.field}: ${err.message}`);
    throw err;
  } finally {
    await store.close();
  }
}
