import { isSoleWriter, TransactionMemo } from '../sql.js';
import type { Tx } from '../store.js';
import { dropPersonView } from './person-view.js';

export type SuppressionKind = 'id' | 'email';

export interface SuppressionKey {
  kind: SuppressionKind;
  /** Emails lower-cased. */
  value: string;
}

/**
 * SQLite transactions that found their workspace without any suppression: the identifiers of the
 * transaction's later writes need no check. Valid until the transaction ends (the keys are
 * transaction handles): SQLite has one writer, so no other transaction can add a suppression
 * meanwhile, and one made by this transaction clears it. Not on PostgreSQL, where a concurrent
 * suppress locks only the identifier it was addressed by, not the other identifiers it blocks.
 */
const unsuppressed = new TransactionMemo<true>();

export function knownUnsuppressed(trx: Tx, workspaceId: number): boolean {
  return unsuppressed.get(trx, workspaceId) === true;
}

export function noteUnsuppressed(trx: Tx, workspaceId: number): void {
  if (!isSoleWriter(trx)) return;
  unsuppressed.set(trx, workspaceId, true);
}

export async function addSuppressions(
  trx: Tx,
  workspaceId: number,
  keys: readonly SuppressionKey[],
  groupKey: string,
  now: number,
): Promise<void> {
  if (keys.length === 0) return;
  unsuppressed.delete(trx, workspaceId);
  dropPersonView(trx, workspaceId);
  await trx
    .insertInto('suppressions')
    .values(
      keys.map((k) => ({
        workspace_id: workspaceId,
        kind: k.kind,
        value: k.value,
        created_at: now,
        group_key: groupKey,
      })),
    )
    .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'value']).doNothing())
    .execute();
}

/** Removes the suppression of `key` and of every identifier suppressed with it; returns what was freed. */
export async function removeSuppression(
  trx: Tx,
  workspaceId: number,
  key: SuppressionKey,
): Promise<SuppressionKey[]> {
  dropPersonView(trx, workspaceId);
  const row = await trx
    .selectFrom('suppressions')
    .select(['group_key'])
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', key.kind)
    .where('value', '=', key.value)
    .executeTakeFirst();
  if (!row) return [];
  const group = row.group_key;
  const freed = group
    ? await trx
        .selectFrom('suppressions')
        .select(['kind', 'value'])
        .where('workspace_id', '=', workspaceId)
        .where('group_key', '=', group)
        .execute()
    : [{ kind: key.kind, value: key.value }];
  let del = trx.deleteFrom('suppressions').where('workspace_id', '=', workspaceId);
  del = group
    ? del.where('group_key', '=', group)
    : del.where('kind', '=', key.kind).where('value', '=', key.value);
  await del.execute();
  return freed.map((f) => ({ kind: f.kind as SuppressionKind, value: f.value }));
}
