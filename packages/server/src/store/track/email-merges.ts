import type { Tx } from '../store.js';

export interface PendingEmailMerge {
  pid: number;
  workspaceId: number;
  emailKey: string;
}

/** People migration 086 left to merge (oldest first), `limit` at a time. */
export async function pendingEmailMerges(db: Tx, limit: number): Promise<PendingEmailMerge[]> {
  const rows = await db
    .selectFrom('email_merges')
    .select(['pid', 'workspace_id', 'email_key'])
    .orderBy('pid')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    pid: Number(r.pid),
    workspaceId: Number(r.workspace_id),
    emailKey: r.email_key,
  }));
}

export async function deleteEmailMerge(trx: Tx, workspaceId: number, pid: number): Promise<void> {
  await trx
    .deleteFrom('email_merges')
    .where('workspace_id', '=', workspaceId)
    .where('pid', '=', pid)
    .execute();
}
