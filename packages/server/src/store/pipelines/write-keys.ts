import { queryRows, statement } from '../sql.js';
import type { Tx } from '../store.js';
import type { WorkspaceRow } from '../workspaces/queries.js';

/** `public`: the app's key (browsers, phones); `server`: secret, for back ends. */
export type WriteKeyKind = 'public' | 'server';

export type WriteKeyRow = WorkspaceRow & {
  write_key_kind: WriteKeyKind;
  write_key_hash: string;
  /** When a rotated-out key stops working (unix seconds); null for the current key. */
  write_key_retires_at: number | string | null;
};

const BY_HASH = statement(
  `select w.id, w.site_id, w.name, w.track_key_hash, w.app_key_hash, w.identifier_mode, w.settings,
          w.identity_secrets, w.created_at, w.updated_at, k.kind as write_key_kind, k.key_hash as write_key_hash,
          k.retires_at as write_key_retires_at
     from write_keys k join workspaces w on w.id = k.workspace_id
    where k.key_hash = ?`,
);

/** The workspace a write key hash opens, and which kind of key it is: read on every Pipelines request. */
export async function workspaceByWriteKey(db: Tx, keyHash: string): Promise<WriteKeyRow | undefined> {
  const [row] = await queryRows<WriteKeyRow>(db, BY_HASH, [keyHash]);
  return row;
}

/**
 * Replaces the workspace's key of that kind. The current one stays accepted until `retiresAt`
 * when given (an overlap), else stops at once; keys rotated out before it stop at once.
 */
export async function replaceWriteKey(
  db: Tx,
  workspaceId: number,
  kind: WriteKeyKind,
  keyHash: string,
  now: number,
  retiresAt?: number,
): Promise<void> {
  const ofKind = db.deleteFrom('write_keys').where('workspace_id', '=', workspaceId).where('kind', '=', kind);
  if (retiresAt === undefined) await ofKind.execute();
  else {
    await ofKind.where('retires_at', 'is not', null).execute();
    await db
      .updateTable('write_keys')
      .set({ retires_at: retiresAt })
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .where('key_hash', '<>', keyHash)
      .execute();
  }
  // The same key set again (ROSTER_WRITE_KEY at every start) must not collide with itself elsewhere.
  await db.deleteFrom('write_keys').where('key_hash', '=', keyHash).execute();
  await db
    .insertInto('write_keys')
    .values({ key_hash: keyHash, workspace_id: workspaceId, kind, created_at: now, retires_at: null })
    .execute();
}

/** Which kinds of write key a workspace has (current keys, not ones rotated out). */
export async function writeKeyKinds(db: Tx, workspaceId: number): Promise<WriteKeyKind[]> {
  const rows = await db
    .selectFrom('write_keys')
    .select('kind')
    .where('workspace_id', '=', workspaceId)
    .where('retires_at', 'is', null)
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
