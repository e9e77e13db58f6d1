import type { Selectable } from 'kysely';
import type { ImportJobsTable } from '../schema/index.js';
import type { Tx } from '../store.js';

/** `roster import` progress for one file into one workspace (migration 040). */
export type ImportJob = Selectable<ImportJobsTable>;

export async function importJob(db: Tx, id: string): Promise<ImportJob | undefined> {
  return db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deleteImportJob(db: Tx, id: string): Promise<void> {
  await db.deleteFrom('import_jobs').where('id', '=', id).execute();
}

export async function insertImportJob(db: Tx, job: ImportJob): Promise<void> {
  await db.insertInto('import_jobs').values(job).execute();
}

/** Where the next batch starts and the counts so far: committed with the batch it follows. */
export async function recordImportProgress(
  trx: Tx,
  id: string,
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
    .where('id', '=', id)
    .execute();
}

export async function finishImportJob(db: Tx, id: string, byteOffset: number, now: number): Promise<void> {
  await db
    .updateTable('import_jobs')
    .set({ status: 'done', byte_offset: byteOffset, updated_at: now })
    .where('id', '=', id)
    .execute();
}
