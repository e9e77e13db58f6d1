import type { Selectable } from 'kysely';
import type { ImportJobsTable } from '../schema/index.js';
import type { Tx } from '../store.js';

/** `roster import` progress for one file into one workspace (migration 040). */
export type ImportJob = Selectable<ImportJobsTable>;

/** An import job as its statements name it: by workspace and id (one shard under Citus). */
export interface ImportJobKey {
  workspaceId: number;
  id: string;
}

export async function importJob(db: Tx, job: ImportJobKey): Promise<ImportJob | undefined> {
  return db
    .selectFrom('import_jobs')
    .selectAll()
    .where('workspace_id', '=', job.workspaceId)
    .where('id', '=', job.id)
    .executeTakeFirst();
}

export async function deleteImportJob(db: Tx, job: ImportJobKey): Promise<void> {
  await db
    .deleteFrom('import_jobs')
    .where('workspace_id', '=', job.workspaceId)
    .where('id', '=', job.id)
    .execute();
}

export async function insertImportJob(db: Tx, job: ImportJob): Promise<void> {
  await db.insertInto('import_jobs').values(job).execute();
}

/** Where the next batch starts and the counts so far: committed with the batch it follows. */
export async function recordImportProgress(
  trx: Tx,
  job: ImportJobKey,
  p: { byteOffset: number; line: number; rowsOk: number; rowsFailed: number; errorsBytes: number },
  now: number,
): Promise<void> {
  await trx
    .updateTable('import_jobs')
    .set({
      byte_offset: p.byteOffset,
      line: p.line,
      rows_ok: p.rowsOk,
      rows_failed: p.rowsFailed,
      errors_bytes: p.errorsBytes,
      updated_at: now,
    })
    .where('workspace_id', '=', job.workspaceId)
    .where('id', '=', job.id)
    .execute();
}

export async function finishImportJob(
  db: Tx,
  job: ImportJobKey,
  byteOffset: number,
  now: number,
): Promise<void> {
  await db
    .updateTable('import_jobs')
    .set({ status: 'done', byte_offset: byteOffset, updated_at: now })
    .where('workspace_id', '=', job.workspaceId)
    .where('id', '=', job.id)
    .execute();
}
