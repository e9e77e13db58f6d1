import { ulid } from '../../lib/ulid.js';
import { execute, placeholders, statement, StatementsByCount } from '../sql.js';
import type { Tx } from '../store.js';

export interface IngestError {
  workspaceId: number;
  receivedAt: number;
  type: string | null;
  messageId: string | null;
  reason: string;
  message: string;
  /** The event as sent (JSON text, already cut to size). */
  event: string | null;
  source: string;
}

const INSERT = new StatementsByCount(
  (n) =>
    `insert into pipelines_errors (id, workspace_id, received_at, type, message_id, reason, message, event, source)
     values ${Array.from({ length: n }, () => `(${placeholders(9)})`).join(', ')}`,
);

/** Deletes a workspace's errors older than its newest `keep` (one index range). */
const TRIM = statement(
  `delete from pipelines_errors where workspace_id = ? and id < (
     select id from pipelines_errors where workspace_id = ? order by id desc limit 1 offset ?)`,
);

/** Records dropped events and keeps only the newest `keep` of the workspace. */
export async function recordIngestErrors(
  trx: Tx,
  errors: readonly IngestError[],
  keep: number,
): Promise<void> {
  if (errors.length === 0) return;
  const rows = errors.slice(-keep);
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100);
    const params: unknown[] = [];
    for (const e of chunk)
      params.push(
        ulid(),
        e.workspaceId,
        e.receivedAt,
        e.type,
        e.messageId,
        e.reason,
        e.message,
        e.event,
        e.source,
      );
    await execute(trx, INSERT.get(chunk.length), params);
  }
  for (const ws of new Set(rows.map((e) => e.workspaceId))) await execute(trx, TRIM, [ws, ws, keep - 1]);
}

export interface IngestErrorRow {
  id: string;
  received_at: number;
  type: string | null;
  message_id: string | null;
  reason: string;
  message: string;
  event: string | null;
  source: string;
}

/** A page of a workspace's ingest errors, newest first, starting after the cursor `before` (an id). */
export async function listIngestErrors(
  db: Tx,
  workspaceId: number,
  limit: number,
  before?: string,
): Promise<IngestErrorRow[]> {
  let q = db
    .selectFrom('pipelines_errors')
    .select(['id', 'received_at', 'type', 'message_id', 'reason', 'message', 'event', 'source'])
    .where('workspace_id', '=', workspaceId);
  if (before) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}
