import fs from 'node:fs';
import { systemClock } from '../lib/clock.js';
import { runExport, type ExportFormat, type ExportWhat } from '../ops/bulk/export.js';
import { exportObjects } from '../ops/bulk/export-objects.js';
import { pickWorkspace } from '../ops/bulk/workspace-pick.js';
import { InvalidInputError } from '../lib/errors.js';
import { createServices } from '../services/services.js';
import { openStore } from '../store/open-store.js';
import { commandArgs, requireExistingStore } from './args.js';
import { storeConfig } from './config.js';
import { stderrLog } from './stderr-log.js';

const USAGE = `usage:
  roster export [people|events|objects|relationships] [--format jsonl|csv] [--filter '<json>']
                [--object-type ID] [--output FILE]
                [--site-id SITE_ID] [--data DIR] [--database-url URL]
  people (default) come with their devices; --filter takes the segments' condition language, e.g.
  '{"attribute":{"field":"plan","operator":"eq","value":"pro"}}' (for events: the people whose events).
  objects come with their relationships in JSON Lines (Track v2 object operations); as CSV, one row
  per object (objects) or per relationship (relationships); --object-type limits them to a type.
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
    'object-type': { type: 'string' },
  });
  if (!parsed.ok) return parsed.code;
  const { values, positionals } = parsed;
  const what = (positionals[0] ?? 'people') as ExportWhat | 'objects' | 'relationships';
  if (positionals.length > 1 || !['people', 'events', 'objects', 'relationships'].includes(what)) {
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
    const objectType = values['object-type'];
    if (objectType !== undefined && !/^[1-9][0-9]{0,8}$/.test(objectType))
      throw new Error('--object-type takes an object type id such as 1');
    let count: number;
    if (what === 'objects' || what === 'relationships') {
      if (filter !== undefined) throw new Error(`--filter is about people: it does not apply to ${what}`);
      count = await exportObjects(store, { what, format, workspace, typeId: objectType, out });
    } else count = await runExport(store, systemClock, { what, format, workspace, filter, out });
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
