import type { Tx } from '../store.js';

export type SuppressionKind = 'id' | 'email';

export interface SuppressionKey {
  kind: SuppressionKind;
  /** Emails lower-cased. */
  value: string;
}

export async function addSuppressions(
  trx: Tx,
  workspaceId: number,
  keys: readonly SuppressionKey[],
  groupKey: string,
  now: number,
): Promise<void> {
  if (keys.length === 0) return;
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
