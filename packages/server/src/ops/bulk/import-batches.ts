import fs from 'node:fs';
import { unixSeconds, type Clock } from '../../lib/clock.js';
import type { Services } from '../../services/services.js';
import type { TrackWrite } from '../../services/track/context.js';
import { recordImportProgress, type ImportJob } from '../../store/bulk/import-jobs.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { describe } from './import-rows.js';

/** One input row, parsed and validated (or already known bad). */
export interface Row {
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

/**
 * Commits an import's rows a batch at a time, one transaction per batch through the Track API's own
 * `executeBatch` (locks, a savepoint per row only when a row is refused, listeners after each write,
 * PostgreSQL retries). The job's position and the errors file are written in its `finish`, so they
 * commit with the rows: the errors file holds exactly the failures of committed batches.
 */
export class ImportBatches {
  rowsOk: number;
  rowsFailed: number;
  rowsThisRun = 0;
  /** Where the last committed batch ended. */
  bytesDone: number;
  private errorsLength: number;
  private readonly errorsFd: number;

  constructor(
    private readonly services: Services,
    private readonly clock: Clock,
    private readonly workspace: Workspace,
    private readonly source: string,
    private readonly job: ImportJob,
    errorsFile: string,
    offset: number,
  ) {
    this.rowsOk = Number(job.rows_ok);
    this.rowsFailed = Number(job.rows_failed);
    this.bytesDone = offset;
    this.errorsLength = Number(job.errors_bytes);
    if (this.errorsLength === 0) fs.writeFileSync(errorsFile, '');
    else fs.truncateSync(errorsFile, this.errorsLength);
    this.errorsFd = fs.openSync(errorsFile, 'a');
  }

  close(): void {
    fs.closeSync(this.errorsFd);
  }

  async commit(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    const parsedFailures: Failure[] = rows
      .filter((r) => r.error !== undefined)
      .map((r) => ({ line: r.line, reason: r.error!, row: r.raw() }));
    const good = rows.filter((r) => r.writes);
    const lengthBefore = this.errorsLength;
    const undoErrors = (): void => {
      // Drop an earlier attempt's error lines: the transaction that would have owned them rolled back.
      if (this.errorsLength === lengthBefore) return;
      fs.ftruncateSync(this.errorsFd, lengthBefore);
      this.errorsLength = lengthBefore;
    };
    let refused = 0;
    try {
      await this.services.track.executeBatch(
        this.workspace,
        this.source,
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
            if (text) fs.writeSync(this.errorsFd, text);
            this.errorsLength += Buffer.byteLength(text);
            await recordImportProgress(
              trx,
              this.job.id,
              {
                byteOffset: last.end,
                line: last.line + 1,
                rowsOk: this.rowsOk + good.length - refused,
                rowsFailed: this.rowsFailed + failures.length,
                errorsBytes: this.errorsLength,
              },
              unixSeconds(this.clock),
            );
          },
        },
      );
    } catch (err) {
      undoErrors();
      throw err;
    }
    this.rowsOk += good.length - refused;
    this.rowsFailed += parsedFailures.length + refused;
    this.rowsThisRun += rows.length;
    this.bytesDone = last.end;
  }
}
