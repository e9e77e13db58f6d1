import { systemClock } from '../lib/clock.js';
import { COLUMN_TYPES, type ColumnType } from '../ops/bulk/import-rows.js';
import { runImport, type ImportResult } from '../ops/bulk/importer.js';
import { createProgress } from '../ops/bulk/progress.js';
import { pickWorkspace } from '../ops/bulk/workspace-pick.js';
import { createServices } from '../services/services.js';
import { openImportStore } from '../ops/bulk/import-store.js';
import { commandArgs, requireExistingStore } from './args.js';
import { storeConfig } from './config.js';
import { stderrLog } from './stderr-log.js';

const USAGE = `usage:
  roster import FILE [--format csv|jsonl] [--id-column NAME] [--id-type id|email]
                     [--type COLUMN=auto|string|number|boolean|json|timestamp]… [--errors PATH]
                     [--batch-size 1000] [--restart] [--site-id SITE_ID] [--data DIR] [--database-url URL]
                     [--progress-interval MS] [--json] [--objects|--relationships] [--object-type ID]
  CSV: a header row; the identifier column (default id, else email) names the person, every other
  column is an attribute (typed: true/false, plain numbers and JSON objects/arrays; empty = not set).
  JSON Lines: Track API v2 operations (person identify/event/page/screen/add_device…, as roster export
  writes them, object identify/add_relationships…) or flat person objects.
  --objects: a CSV of objects (object_id, attributes; the type from an object_type_id column or
  --object-type). --relationships: a CSV of relationships (object_id, the person's id or email,
  relationship attributes). Bad rows go to FILE.errors.jsonl; rerunning an interrupted import
  resumes where it stopped.`;

/** `roster import FILE`: bulk-loads people (and devices, events) through the Track API's services. */
export async function importCommand(args: string[]): Promise<number> {
  const parsed = commandArgs('import', USAGE, args, {
    format: { type: 'string' },
    'id-column': { type: 'string' },
    'id-type': { type: 'string' },
    type: { type: 'string', multiple: true },
    errors: { type: 'string' },
    'batch-size': { type: 'string' },
    restart: { type: 'boolean' },
    'site-id': { type: 'string' },
    data: { type: 'string' },
    'database-url': { type: 'string' },
    'progress-interval': { type: 'string' },
    json: { type: 'boolean' },
    objects: { type: 'boolean' },
    relationships: { type: 'boolean' },
    'object-type': { type: 'string' },
  });
  if (!parsed.ok) return parsed.code;
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const flags = importFlags(values);

  const config = storeConfig({ data: values.data, 'database-url': values['database-url'] });
  // Importing needs a workspace, so a store that exists (a missing --data would import nowhere).
  requireExistingStore(config);
  const store = await openImportStore({ ...config, migrationLog: stderrLog });
  const services = createServices(store, systemClock);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write(
      '\nimport: stopping after the current batch (Ctrl-C again to quit now; rerun to resume)\n',
    );
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const workspace = await pickWorkspace(services, values['site-id']);
    const interval = values['progress-interval'] ? Number(values['progress-interval']) : undefined;
    const result = await runImport(services, {
      file,
      format: values.format as 'csv' | 'jsonl' | undefined,
      workspace,
      idColumn: values['id-column'],
      ...flags,
      errorsFile: values.errors,
      restart: values.restart,
      progress: createProgress(process.stderr, interval === undefined ? {} : { intervalMs: interval }),
      signal: abort.signal,
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(summary(file, workspace.siteId, result));
    if (result.status === 'interrupted') return 130;
    // Rows that failed make the run a failure for scripts, as they would for a person reading it.
    return result.rowsFailed > 0 && result.status === 'done' ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
}

/** The flags that shape how rows are read, checked: a clear error names the flag that is wrong. */
function importFlags(values: {
  'id-type'?: string | undefined;
  type?: string[] | undefined;
  objects?: boolean | undefined;
  relationships?: boolean | undefined;
  'object-type'?: string | undefined;
  'batch-size'?: string | undefined;
}): {
  idType: 'id' | 'email' | undefined;
  types: Record<string, ColumnType>;
  kind: 'objects' | 'relationships' | undefined;
  objectType: string | undefined;
  batchSize: number | undefined;
} {
  const idType = values['id-type'];
  if (idType !== undefined && idType !== 'id' && idType !== 'email')
    throw new Error('--id-type must be id or email');
  const types: Record<string, ColumnType> = {};
  for (const t of values.type ?? []) {
    const eq = t.lastIndexOf('=');
    const type = t.slice(eq + 1) as ColumnType;
    if (eq <= 0 || !COLUMN_TYPES.includes(type))
      throw new Error(`--type ${t}: expected COLUMN=${COLUMN_TYPES.join('|')}`);
    types[t.slice(0, eq)] = type;
  }
  if (values.objects && values.relationships)
    throw new Error('--objects and --relationships exclude each other');
  const kind = values.objects ? 'objects' : values.relationships ? 'relationships' : undefined;
  const objectType = values['object-type'];
  if (objectType !== undefined && (!kind || !/^[1-9][0-9]{0,8}$/.test(objectType)))
    throw new Error('--object-type takes an object type id such as 1, with --objects or --relationships');
  const batchSize = values['batch-size'] ? Number(values['batch-size']) : undefined;
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0))
    throw new Error('--batch-size must be a positive integer');
  return { idType, types, kind, objectType, batchSize };
}

/** What a finished, interrupted or already-done import says on stdout. */
function summary(file: string, siteId: string, result: ImportResult): string {
  if (result.status === 'already_done')
    return (
      `${file} was already imported into ${siteId} (${result.rowsOk} rows, ${result.rowsFailed} failed); ` +
      'use --restart to import it again\n'
    );
  const secs = result.elapsedMs / 1000;
  let out =
    `${result.status === 'done' ? 'imported' : 'interrupted:'} ${result.rowsOk} rows into ${siteId}` +
    `${result.resumed ? ` (resumed at line ${result.startLine})` : ''}, ${result.rowsFailed} failed` +
    `${result.rowsFailed > 0 ? ` (see ${result.errorsFile})` : ''} in ${secs.toFixed(1)}s\n`;
  if (result.status === 'interrupted') out += 'run the same command again to resume\n';
  else if (result.rowsFailed > 0)
    out += `${result.rowsFailed} row${result.rowsFailed === 1 ? '' : 's'} failed: exit code 1 (fix them and import ${result.errorsFile})\n`;
  return out;
}
