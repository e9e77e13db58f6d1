import { sql } from 'kysely';
import { execute, statement } from '../sql.js';
import type { Tx } from '../store.js';

const CLAIM_SQLITE = statement(
  'insert into pipelines_messages (workspace_id, message_id, received_at) values (?, ?, ?) on conflict do nothing',
);

/**
 * Claims a `messageId` for the workspace inside the write's transaction: true the first time,
 * false when it was seen before (a retried batch). A refused write rolls its claim back with it.
 */
export async function claimMessageId(
  trx: Tx,
  workspaceId: number,
  messageId: string,
  now: number,
): Promise<boolean> {
  return (await execute(trx, CLAIM_SQLITE, [workspaceId, messageId, now])) > 0;
}

/**
 * Forgets `messageId`s received before `before`, at most `limit` of them (a bounded transaction on
 * either engine); returns how many.
 */
export async function pruneMessageIds(db: Tx, before: number, limit: number): Promise<number> {
  const result = await sql`delete from pipelines_messages where (workspace_id, message_id) in (
      select workspace_id, message_id from pipelines_messages where received_at < ${before} limit ${limit})`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0n);
}
