import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import type { Store } from '../../store/store.js';
import { deleteImportJob, importJob, insertImportJob, type ImportJob } from '../../store/bulk/import-jobs.js';
import { CsvParser } from './csv.js';
import { CsvRowMapper } from './import-rows.js';
import { ObjectCsvMapper } from './import-objects.js';
import type { ImportFormat, ImportOptions } from './importer.js';

/** An import is identified by workspace, file, format, options and the file's first 64 KB. */
export function jobIdOf(options: ImportOptions, format: ImportFormat, absolute: string): string {
  const fd = fs.openSync(absolute, 'r');
  const head = Buffer.alloc(65536);
  const n = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  return createHash('sha256')
    .update(
      JSON.stringify([
        options.workspace.id,
        absolute,
        format,
        options.idColumn ?? null,
        options.idType ?? null,
        options.types ?? {},
        // Only when given, so the jobs of people imports started before these options keep their ids.
        ...(options.kind && options.kind !== 'people' ? [options.kind, options.objectType ?? null] : []),
      ]),
    )
    .update(head.subarray(0, n))
    .digest('hex')
    .slice(0, 32);
}

async function readCsvHeader(file: string): Promise<{ fields: string[]; end: number; line: number }> {
  const parser = new CsvParser();
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 65536 })) {
    const [first] = parser.push(chunk as Buffer);
    if (first) return { fields: first.fields, end: first.end, line: first.line + 1 };
  }
  const [first] = parser.end();
  if (!first) throw new Error(`${file} is empty: a CSV import needs a header row`);
  if (first.error) throw new Error(`the header row is malformed: ${first.error}`);
  return { fields: first.fields, end: first.end, line: first.line + 1 };
}

/** Where a run of an import starts. */
export interface ImportStart {
  job: ImportJob;
  /** Whether an earlier run of the same import had started it. */
  resumed: boolean;
  /** CSV: the header's columns, mapped. */
  mapper: CsvRowMapper | ObjectCsvMapper | undefined;
  /** Byte offset and line number of the first row this run reads. */
  offset: number;
  line: number;
}

/**
 * Finds the import's job (forgetting it first with `restart`), or starts one: a finished job means
 * there is nothing to do (undefined is returned with it); an unfinished one resumes after its last
 * committed batch. A CSV's header is read from the top whatever the resume point.
 */
export async function startImport(
  store: Store,
  clock: Clock,
  options: ImportOptions,
  jobId: string,
  absolute: string,
  format: ImportFormat,
): Promise<{ done: ImportJob } | ImportStart> {
  const key = { workspaceId: options.workspace.id, id: jobId };
  if (options.restart) await deleteImportJob(store.db, key);
  let job = await importJob(store.db, key);
  if (job?.status === 'done') return { done: job };
  const resumed = job !== undefined;
  let mapper: CsvRowMapper | ObjectCsvMapper | undefined;
  let offset = job ? Number(job.byte_offset) : 0;
  let line = job ? Number(job.line) : 1;
  if (format === 'csv') {
    const header = await readCsvHeader(absolute);
    const kind = options.kind ?? 'people';
    mapper =
      kind === 'people'
        ? new CsvRowMapper(header.fields, options.workspace, options)
        : new ObjectCsvMapper(header.fields, options.workspace, { ...options, kind });
    if (!job) {
      offset = header.end;
      line = header.line;
    }
  }
  if (!job) {
    const now = unixSeconds(clock);
    job = {
      id: jobId,
      workspace_id: options.workspace.id,
      file: absolute,
      format,
      status: 'running',
      byte_offset: offset,
      line,
      rows_ok: 0,
      rows_failed: 0,
      errors_bytes: 0,
      created_at: now,
      updated_at: now,
    };
    await insertImportJob(store.db, job);
  }
  return { job, resumed, mapper, offset, line };
}
