import fs from 'node:fs';
import path from 'node:path';
import { unixSeconds } from '../../lib/clock.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { Services } from '../../services/services.js';
import type { TrackWrite } from '../../services/track/context.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { finishImportJob } from '../../store/bulk/import-jobs.js';
import { CsvParser, csvLine, LineSplitter } from './csv.js';
import { ImportBatches, type Row } from './import-batches.js';
import { jobIdOf, startImport } from './import-job.js';
import { describe, jsonlWrites, RowError, type CsvRowMapper, type RowOptions } from './import-rows.js';
import type { ObjectCsvMapper } from './import-objects.js';
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

export function formatOf(file: string, given?: string): ImportFormat {
  if (given) {
    if (given !== 'csv' && given !== 'jsonl') throw new Error(`unknown format ${given}: use csv or jsonl`);
    return given;
  }
  return /\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : 'csv';
}

/**
 * `roster import`: reads a CSV or JSON Lines file as a stream and applies each row through the
 * Track API's own parsing (`parseV2`: the same validation as `POST /api/v2/batch`) and writes
 * (`TrackWrite.run` plus the person-change listeners, so activities and segment memberships follow),
 * `batchSize` rows per transaction. A row that fails validation or is refused by a write goes to
 * the errors file with its line number and reason; the others commit. The job's position commits
 * with each batch, so after an interruption (Ctrl-C, kill -9, power loss) the same command resumes
 * after the last committed batch without applying any row twice.
 *
 * In phases: find or start the job (`startImport`), parse rows (`rowsOf`), commit them in batches
 * (`ImportBatches`), report.
 */
export async function runImport(services: Services, options: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const absolute = path.resolve(options.file);
  const format = formatOf(absolute, options.format);
  const totalBytes = fs.statSync(absolute).size;
  const errorsFile = path.resolve(options.errorsFile ?? `${absolute}.errors.jsonl`);
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const jobId = jobIdOf(options, format, absolute);
  const report = (
    status: ImportResult['status'],
    counts: { rowsOk: number; rowsFailed: number },
    startLine: number,
    resumed: boolean,
  ): ImportResult => ({
    jobId,
    status,
    rowsOk: counts.rowsOk,
    rowsFailed: counts.rowsFailed,
    startLine,
    resumed,
    errorsFile,
    elapsedMs: Date.now() - started,
  });

  const start = await startImport(services.store, services.clock, options, jobId, absolute, format);
  if ('done' in start) {
    const counts = { rowsOk: Number(start.done.rows_ok), rowsFailed: Number(start.done.rows_failed) };
    return report('already_done', counts, Number(start.done.line), true);
  }
  const batches = new ImportBatches(
    services,
    services.clock,
    options.workspace,
    options.source ?? 'import',
    start.job,
    errorsFile,
    start.offset,
  );
  const state = (): ProgressState => ({
    bytesDone: batches.bytesDone,
    bytesTotal: totalBytes,
    rowsOk: batches.rowsOk,
    rowsFailed: batches.rowsFailed,
    rowsThisRun: batches.rowsThisRun,
    bytesThisRun: batches.bytesDone - start.offset,
    elapsedMs: Date.now() - started,
  });

  let interrupted = false;
  try {
    let batch: Row[] = [];
    for await (const row of rowsOf(absolute, start, options)) {
      batch.push(row);
      if (batch.length < batchSize) continue;
      const full = batch;
      batch = [];
      await batches.commit(full);
      options.progress?.update(state());
      // Stops after the batch in flight; the rows already read after it are read again on resume.
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
    }
    if (!interrupted) {
      await batches.commit(batch);
      batches.bytesDone = totalBytes;
      await finishImportJob(
        services.store.db,
        { workspaceId: options.workspace.id, id: jobId },
        totalBytes,
        unixSeconds(services.clock),
      );
    }
  } finally {
    batches.close();
  }
  options.progress?.done(state());
  return report(interrupted ? 'interrupted' : 'done', batches, start.line, start.resumed);
}

/**
 * The rows of the file from `offset` (line `line`) on, each parsed and validated into Track writes,
 * or carrying why it cannot be imported.
 */
async function* rowsOf(
  file: string,
  from: { offset: number; line: number; mapper: CsvRowMapper | ObjectCsvMapper | undefined },
  options: ImportOptions,
): AsyncGenerator<Row> {
  const toRow = (line: number, end: number, raw: () => string, build: () => TrackWrite[]): Row => {
    try {
      return { line, end, raw, writes: build() };
    } catch (err) {
      if (err instanceof RowError || err instanceof InvalidInputError)
        return { line, end, raw, error: describe(err) };
      throw err;
    }
  };
  const stream = fs.createReadStream(file, { start: from.offset, highWaterMark: 1 << 20 });
  try {
    if (from.mapper) {
      const mapper = from.mapper;
      const parser = new CsvParser(from.offset, from.line);
      const rows = function* (records: ReturnType<CsvParser['push']>) {
        for (const r of records) {
          const raw = () => csvLine(r.fields).trimEnd();
          yield r.error
            ? { line: r.line, end: r.end, raw, error: r.error }
            : toRow(r.line, r.end, raw, () => mapper.writes(r.fields));
        }
      };
      for await (const chunk of stream) yield* rows(parser.push(chunk as Buffer));
      yield* rows(parser.end());
    } else {
      const splitter = new LineSplitter(from.offset, from.line);
      const rows = function* (lines: ReturnType<LineSplitter['push']>) {
        for (const l of lines) {
          if (l.text.trim() === '') continue;
          yield toRow(
            l.line,
            l.end,
            () => l.text,
            () => jsonlWrites(l.text, options.workspace, options),
          );
        }
      };
      for await (const chunk of stream) yield* rows(splitter.push(chunk as Buffer));
      yield* rows(splitter.end());
    }
  } finally {
    stream.destroy();
  }
}
