import { queryRows, statement } from '../sql.js';
import type { Tx } from '../store.js';
import type { WorkspaceRow } from '../workspaces/queries.js';

/** `public`: the app's key (browsers, phones); `server`: secret, for back ends. */
export type WriteKeyKind = 'public' | 'server';

export type WriteKeyRow = WorkspaceRow & { write_key_kind: WriteKeyKind; write_key_hash: string };

const BY_HASH = statement(
  `select w.id, w.site_id, w.name, w.track_key_hash, w.app_key_hash, w.identifier_mode, w.settings,
          w.identity_secrets, w.created_at, w.updated_at, k.kind as write_key_kind, k.key_hash as write_key_hash
     from write_keys k join workspaces w on w.id = k.workspace_id
    where k.key_hash = ?`,
);

/** The workspace a write key hash opens, and which kind of key it is: read on every Pipelines request. */
export async function workspaceByWriteKey(db: Tx, keyHash: string): Promise<WriteKeyRow | undefined> {
  const [row] = await queryRows<WriteKeyRow>(db, BY_HASH, [keyHash]);
  return row;
}

/** Replaces the workspace's key of that kind (the old one stops working at once). */
export async function replaceWriteKey(
  db: Tx,
  workspaceId: number,
  kind: WriteKeyKind,
  keyHash: string,
  now: number,
): Promise<void> {
  await db
    .deleteFrom('write_keys')
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .execute();
  // The same key set again (ROSTER_WRITE_KEY at every start) must not collide with itself elsewhere.
  await db.deleteFrom('write_keys').where('key_hash', '=', keyHash).execute();
  await db
    .insertInto('write_keys')
    .values({ key_hash: keyHash, workspace_id: workspaceId, kind, created_at: now })
    .execute();
}

/** Which kinds of write key a workspace has. */
export async function writeKeyKinds(db: Tx, workspaceId: number): Promise<WriteKeyKind[]> {
  const rows = await db
    .selectFrom('write_keys')
    .select('kind')
    .where('workspace_id', '=', workspaceId)
    .execute();
  return rows.map((r) => r.kind as WriteKeyKind);
}

/** Whether this exact key (by hash) is the workspace's key of that kind already. */
export async function hasWriteKey(db: Tx, workspaceId: number, keyHash: string): Promise<boolean> {
  const row = await db
    .selectFrom('write_keys')
    .select('kind')
    .where('key_hash', '=', keyHash)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row !== undefined;
}
