import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { unixSeconds, type Clock } from '../lib/clock.js';
import { InvalidInputError } from '../lib/errors.js';
import type { Services } from '../services/services.js';
import type { TrackWrite } from '../services/track/context.js';
import type { Workspace } from '../store/workspaces/workspace.js';
import {
  deleteImportJob,
  finishImportJob,
  importJob,
  insertImportJob,
  recordImportProgress,
} from '../store/bulk/import-jobs.js';
import { CsvParser, csvLine, LineSplitter } from './csv.js';
import { CsvRowMapper, describe, jsonlWrites, RowError, type RowOptions } from './import-rows.js';
import type { ProgressReporter, ProgressState } from './progress.js';

export type ImportFormat = 'csv' | 'jsonl';

export interface ImportOptions extends RowOptions {
  file: string;
  /** Default: from the extension (`.jsonl`/`.ndjson` → jsonl, else csv). */
  format?: ImportFormat | undefined;
  workspace: Workspace;
  /** Bad rows go here as JSON lines `{line, reason, row}`. Default: `FILE.errors.jsonl`. */
  errorsFile?: string | undefined;
  /** Rows per transaction. Default 1000. */
  batchSize?: number | undefined;
  /** Forget an earlier (interrupted or finished) import of this file and start from the top. */
  restart?: boolean | undefined;
  /** The activities' `source`. Default `import`. */
  source?: string | undefined;
  progress?: ProgressReporter | undefined;
  /** Stops after the batch in flight (Ctrl-C); the import can then be resumed. */
  signal?: AbortSignal | undefined;
}

export interface ImportResult {
  jobId: string;
  /** `done`; `already_done` (nothing to do: run with restart to import again); `interrupted`. */
  status: 'done' | 'already_done' | 'interrupted';
  rowsOk: number;
  rowsFailed: number;
  /** Where this run started: line 1, or the line after the last committed batch of an earlier run. */
  startLine: number;
  resumed: boolean;
  errorsFile: string;
  elapsedMs: number;
}

/** One input row, parsed and validated (or already known bad). */
interface Row {
  line: number;
  end: number;
  raw: () => string;
  writes?: TrackWrite[];
  error?: string;
}

interface Failure {
  line: number;
  reason: string;
  row: string;
}

export function formatOf(file: string, given?: string): ImportFormat {
  if (given) {
    if (given !== 'csv' && given !== 'jsonl') throw new Error(`unknown format ${given}: use csv or jsonl`);
    return given;
  }
  return /\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : 'csv';
}

/** An import is identified by workspace, file, format, options and the file's first 64 KB. */
function jobIdOf(options: ImportOptions, format: ImportFormat, absolute: string): string {
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

/**
 * `roster import`: reads a CSV or JSON Lines file as a stream and applies each row through the
 * Track API's own parsing (`parseV2`: the same validation as `POST /api/v2/batch`) and writes
 * (`TrackWrite.run` plus the person-change listeners, so activities and segment memberships follow),
 * `batchSize` rows per transaction. A row that fails validation or is refused by a write goes to
 * the errors file with its line number and reason; the others commit. The job's position commits
 * with each batch, so after an interruption (Ctrl-C, kill -9, power loss) the same command resumes
 * after the last committed batch without applying any row twice.
 */
export async function runImport(services: Services, options: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const { store } = services;
  const clock: Clock = services.clock;
  const absolute = path.resolve(options.file);
  const format = formatOf(absolute, options.format);
  const totalBytes = fs.statSync(absolute).size;
  const errorsFile = path.resolve(options.errorsFile ?? `${absolute}.errors.jsonl`);
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const source = options.source ?? 'import';
  const ws = options.workspace;
  const jobId = jobIdOf(options, format, absolute);

  if (options.restart) await deleteImportJob(store.db, jobId);
  let job = await importJob(store.db, jobId);
  const result = (status: ImportResult['status'], startLine: number, resumed: boolean): ImportResult => ({
    jobId,
    status,
    rowsOk: Number(job?.rows_ok ?? 0),
    rowsFailed: Number(job?.rows_failed ?? 0),
    startLine,
    resumed,
    errorsFile,
    elapsedMs: Date.now() - started,
  });
  if (job?.status === 'done') return result('already_done', Number(job.line), true);
  const resumed = job !== undefined;

  // CSV: the header is read from the top whatever the resume point.
  let mapper: CsvRowMapper | undefined;
  let offset = job ? Number(job.byte_offset) : 0;
  let line = job ? Number(job.line) : 1;
  if (format === 'csv') {
    const header = await readCsvHeader(absolute);
    mapper = new CsvRowMapper(header.fields, ws, options);
    if (!job) {
      offset = header.end;
      line = header.line;
    }
  }
  if (!job) {
    const now = unixSeconds(clock);
    job = {
      id: jobId,
      workspace_id: ws.id,
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
  const startLine = line;

  // The errors file holds exactly the failures of committed batches.
  const errorsBytes = Number(job.errors_bytes);
  if (errorsBytes === 0) fs.writeFileSync(errorsFile, '');
  else fs.truncateSync(errorsFile, errorsBytes);
  const errorsFd = fs.openSync(errorsFile, 'a');

  let rowsOk = Number(job.rows_ok);
  let rowsFailed = Number(job.rows_failed);
  let errorsLength = errorsBytes;
  let bytesDone = offset;
  let rowsThisRun = 0;
  const startOffset = offset;
  const state = (): ProgressState => ({
    bytesDone,
    bytesTotal: totalBytes,
    rowsOk,
    rowsFailed,
    rowsThisRun,
    bytesThisRun: bytesDone - startOffset,
    elapsedMs: Date.now() - started,
  });

  // One transaction per batch through the Track API's own `executeBatch` (locks, a savepoint per
  // row only when a row is refused, listeners after each write, PostgreSQL retries); the job's
  // position and the errors file are written in its `finish`, so they commit with the rows.
  const commitBatch = async (rows: Row[]): Promise<void> => {
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    const parsedFailures: Failure[] = rows
      .filter((r) => r.error !== undefined)
      .map((r) => ({ line: r.line, reason: r.error!, row: r.raw() }));
    const good = rows.filter((r) => r.writes);
    const lengthBefore = errorsLength;
    const undoErrors = (): void => {
      // Drop an earlier attempt's error lines: the transaction that would have owned them rolled back.
      if (errorsLength === lengthBefore) return;
      fs.ftruncateSync(errorsFd, lengthBefore);
      errorsLength = lengthBefore;
    };
    let refused = 0;
    try {
      await services.track.executeBatch(
        ws,
        source,
        good.map((r) => r.writes!),
        {
          triggers: false,
          finish: async (trx, rowFailures) => {
            undoErrors();
            refused = rowFailures.size;
            const failures = [...parsedFailures];
            for (const [i, err] of rowFailures) {
              const row = good[i]!;
              failures.push({ line: row.line, reason: describe(err), row: row.raw() });
            }
            failures.sort((a, b) => a.line - b.line);
            const text = failures.map((f) => `${JSON.stringify(f)}\n`).join('');
            if (text) fs.writeSync(errorsFd, text);
            errorsLength += Buffer.byteLength(text);
            await recordImportProgress(
              trx,
              jobId,
              {
                byteOffset: last.end,
                line: last.line + 1,
                rowsOk: rowsOk + good.length - refused,
                rowsFailed: rowsFailed + failures.length,
                errorsBytes: errorsLength,
              },
              unixSeconds(clock),
            );
          },
        },
      );
    } catch (err) {
      undoErrors();
      throw err;
    }
    rowsOk += good.length - refused;
    rowsFailed += parsedFailures.length + refused;
    rowsThisRun += rows.length;
    bytesDone = last.end;
  };

  let interrupted = false;
  try {
    let batch: Row[] = [];
    const take = async (row: Row): Promise<void> => {
      batch.push(row);
      if (batch.length >= batchSize) {
        const b = batch;
        batch = [];
        await commitBatch(b);
        options.progress?.update(state());
        if (options.signal?.aborted) interrupted = true;
      }
    };
    const toRow = (line: number, end: number, raw: () => string, build: () => TrackWrite[]): Row => {
      try {
        return { line, end, raw, writes: build() };
      } catch (err) {
        if (err instanceof RowError || err instanceof InvalidInputError)
          return { line, end, raw, error: describe(err) };
        throw err;
      }
    };
    const stream = fs.createReadStream(absolute, { start: offset, highWaterMark: 1 << 20 });
    try {
      if (mapper) {
        const m = mapper;
        const parser = new CsvParser(offset, line);
        const handle = async (records: ReturnType<CsvParser['push']>) => {
          for (const r of records) {
            if (interrupted) return;
            const raw = () => csvLine(r.fields).trimEnd();
            await take(
              r.error
                ? { line: r.line, end: r.end, raw, error: r.error }
                : toRow(r.line, r.end, raw, () => m.writes(r.fields)),
            );
          }
        };
        for await (const chunk of stream) {
          await handle(parser.push(chunk as Buffer));
          if (interrupted) break;
        }
        if (!interrupted) await handle(parser.end());
      } else {
        const splitter = new LineSplitter(offset, line);
        const handle = async (lines: ReturnType<LineSplitter['push']>) => {
          for (const l of lines) {
            if (interrupted) return;
            if (l.text.trim() === '') continue;
            await take(
              toRow(
                l.line,
                l.end,
                () => l.text,
                () => jsonlWrites(l.text, ws, options),
              ),
            );
          }
        };
        for await (const chunk of stream) {
          await handle(splitter.push(chunk as Buffer));
          if (interrupted) break;
        }
        if (!interrupted) await handle(splitter.end());
      }
    } finally {
      stream.destroy();
    }
    if (!interrupted) {
      await commitBatch(batch);
      bytesDone = totalBytes;
      await finishImportJob(store.db, jobId, totalBytes, unixSeconds(clock));
    }
  } finally {
    fs.closeSync(errorsFd);
  }
  options.progress?.done(state());
  return {
    jobId,
    status: interrupted ? 'interrupted' : 'done',
    rowsOk,
    rowsFailed,
    startLine,
    resumed,
    errorsFile,
    elapsedMs: Date.now() - started,
  };
}
