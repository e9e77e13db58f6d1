import type { Selectable } from 'kysely';
import type { PeopleTable } from '../database.js';
import { parseJson, toJson, type Tx } from '../store.js';

/** Attribute maps have no prototype: a key such as `constructor` is plain data, never inherited. */
export type AttrMap = Record<string, unknown>;
export type TsMap = Record<string, number>;

export function dict<T = unknown>(from?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (from) for (const [k, v] of Object.entries(from)) out[k] = v;
  return out;
}

export interface PersonRow {
  pid: number;
  workspaceId: number;
  cioId: string;
  id: string | null;
  email: string | null;
  attributes: AttrMap;
  attrTs: TsMap;
  unsubscribed: boolean;
  createdAt: number;
}

export type Lookup = { kind: 'id' | 'email' | 'cio_id'; value: string };

function toPerson(row: Selectable<PeopleTable>): PersonRow {
  return {
    pid: row.pid,
    workspaceId: row.workspace_id,
    cioId: row.cio_id,
    id: row.id,
    email: row.email,
    attributes: dict(parseJson<AttrMap>(row.attributes)),
    attrTs: dict(parseJson<TsMap>(row.attr_ts)),
    unsubscribed: row.unsubscribed === 1,
    createdAt: row.created_at,
  };
}

export async function findPerson(trx: Tx, workspaceId: number, ref: Lookup): Promise<PersonRow | undefined> {
  let q = trx.selectFrom('people').selectAll().where('workspace_id', '=', workspaceId);
  if (ref.kind === 'id') q = q.where('id', '=', ref.value);
  else if (ref.kind === 'email') q = q.where('email_norm', '=', ref.value.toLowerCase());
  else q = q.where('cio_id', '=', ref.value);
  const row = await q.executeTakeFirst();
  return row && toPerson(row);
}

export async function findPersonByPid(trx: Tx, pid: number): Promise<PersonRow | undefined> {
  const row = await trx.selectFrom('people').selectAll().where('pid', '=', pid).executeTakeFirst();
  return row && toPerson(row);
}

export interface PersonWrite {
  id: string | null;
  email: string | null;
  attributes: AttrMap;
  attrTs: TsMap;
  unsubscribed: boolean;
}

export async function insertPerson(
  trx: Tx,
  workspaceId: number,
  cioId: string,
  p: PersonWrite,
  now: number,
): Promise<PersonRow> {
  const row = await trx
    .insertInto('people')
    .values({
      workspace_id: workspaceId,
      cio_id: cioId,
      id: p.id,
      email: p.email,
      email_norm: p.email?.toLowerCase() ?? null,
      attributes: toJson(p.attributes),
      attr_ts: toJson(p.attrTs),
      unsubscribed: p.unsubscribed ? 1 : 0,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPerson(row);
}

export async function updatePerson(trx: Tx, pid: number, p: PersonWrite, now: number): Promise<void> {
  await trx
    .updateTable('people')
    .set({
      id: p.id,
      email: p.email,
      email_norm: p.email?.toLowerCase() ?? null,
      attributes: toJson(p.attributes),
      attr_ts: toJson(p.attrTs),
      unsubscribed: p.unsubscribed ? 1 : 0,
      updated_at: now,
    })
    .where('pid', '=', pid)
    .execute();
}

/** Removes the person with their devices, events, memberships and anonymous links. */
export async function deletePersonRows(trx: Tx, pid: number): Promise<{ devices: number; events: number }> {
  const devices = await trx.deleteFrom('devices').where('person_pid', '=', pid).executeTakeFirst();
  const events = await trx.deleteFrom('events').where('person_pid', '=', pid).executeTakeFirst();
  await trx.deleteFrom('segment_memberships').where('person_pid', '=', pid).execute();
  await trx.deleteFrom('anonymous_links').where('person_pid', '=', pid).execute();
  await trx.deleteFrom('people').where('pid', '=', pid).execute();
  return { devices: Number(devices.numDeletedRows), events: Number(events.numDeletedRows) };
}

/** Marks a person's history as belonging to a deleted person (App API `deleted=true`). */
export async function markActivitiesDeleted(trx: Tx, pid: number): Promise<void> {
  await trx.updateTable('activities').set({ deleted: 1 }).where('person_pid', '=', pid).execute();
}
