import type { Selectable } from 'kysely';
import type { TransactionalMessagesTable } from '../schema/index.js';
import type { Tx } from '../store.js';

export type TransactionalRow = Selectable<TransactionalMessagesTable>;

export async function transactionalOf(db: Tx, workspaceId: number): Promise<TransactionalRow[]> {
  return db
    .selectFrom('transactional_messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
}

export async function transactionalById(
  db: Tx,
  workspaceId: number,
  id: number,
): Promise<TransactionalRow | undefined> {
  return db
    .selectFrom('transactional_messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** By name, case-insensitively (`name_norm` is the lower-cased name). */
export async function transactionalByName(
  db: Tx,
  workspaceId: number,
  name: string,
  except: number | null = null,
): Promise<TransactionalRow | undefined> {
  let q = db
    .selectFrom('transactional_messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('name_norm', '=', name.toLowerCase());
  if (except !== null) q = q.where('id', '!=', except);
  return q.executeTakeFirst();
}

export async function insertTransactional(
  db: Tx,
  workspaceId: number,
  m: { name: string; template: string },
  now: number,
): Promise<TransactionalRow> {
  return db
    .insertInto('transactional_messages')
    .values({
      workspace_id: workspaceId,
      name: m.name,
      name_norm: m.name.toLowerCase(),
      template: m.template,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateTransactional(
  db: Tx,
  workspaceId: number,
  id: number,
  m: { name: string; template: string },
  now: number,
): Promise<TransactionalRow> {
  return db
    .updateTable('transactional_messages')
    .set({ name: m.name, name_norm: m.name.toLowerCase(), template: m.template, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
