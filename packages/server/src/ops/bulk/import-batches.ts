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

/**
 * Commits an import's rows a batch at a time, one transaction per batch through the batch machinery
 * of `POST /api/v2/batch` (`TrackV2Service.apply`: locks, a savepoint per row only when a row is
 * refused, listeners after each write, PostgreSQL retries, failures in row order). The job's
 * position and the errors file are written in its `finish`, so they commit with the rows: the errors file holds exactly the failures of committed batches.
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
    const lengthBefore = this.errorsLength;
    const undoErrors = (): void => {
      // Drop an earlier attempt's error lines: the transaction that would have owned them rolled back.
      if (this.errorsLength === lengthBefore) return;
      fs.ftruncateSync(this.errorsFd, lengthBefore);
      this.errorsLength = lengthBefore;
    };
    let failed = 0;
    try {
      await this.services.trackV2.apply(
        this.workspace,
        this.source,
        rows.map((r) => (r.writes ? r.writes : { refused: r.error ?? 'no writes' })),
        {
          triggers: false,
          finish: async (trx, failures) => {
            undoErrors();
            failed = failures.length;
            const text = failures
              .map(({ index, error }) => {
                const row = rows[index]!;
                const reason = typeof error === 'string' ? error : describe(error);
                return `${JSON.stringify({ line: row.line, reason, row: row.raw() })}\n`;
              })
              .join('');
            if (text) fs.writeSync(this.errorsFd, text);
            this.errorsLength += Buffer.byteLength(text);
            await recordImportProgress(
              trx,
              { workspaceId: this.workspace.id, id: this.job.id },
              {
                byteOffset: last.end,
                line: last.line + 1,
                rowsOk: this.rowsOk + rows.length - failed,
                rowsFailed: this.rowsFailed + failed,
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
    this.rowsOk += rows.length - failed;
    this.rowsFailed += failed;
    this.rowsThisRun += rows.length;
    this.bytesDone = last.end;
  }
}
