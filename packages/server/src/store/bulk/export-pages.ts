import { sql } from 'kysely';
import type { Predicate } from '../filter/compile-filter.js';
import type { Tx } from '../store.js';

/** One keyset page of a workspace's people after `afterPid`, optionally those a filter matches. */
export async function peoplePage(
  db: Tx,
  workspaceId: number,
  afterPid: number,
  predicate: Predicate | undefined,
  limit: number,
) {
  let q = db
    .selectFrom('people as p')
    .select(['p.pid', 'p.cio_id', 'p.id', 'p.email', 'p.attributes', 'p.created_at', 'p.updated_at'])
    .where('p.workspace_id', '=', workspaceId)
    .where('p.pid', '>', afterPid);
  if (predicate) q = q.where(predicate);
  return q.orderBy('p.pid').limit(limit).execute();
}

/** The devices of these people of the workspace, by person then token. */
export async function devicesOfPeople(db: Tx, workspaceId: number, pids: readonly number[]) {
  return db
    .selectFrom('devices')
    .select(['person_pid', 'token', 'platform', 'last_used', 'attributes'])
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', 'in', [...pids])
    .orderBy('person_pid')
    .orderBy('token')
    .execute();
}

/**
 * One keyset page of a workspace's events after `afterSeq`, with their person's identifiers;
 * with a filter, only events of people it matches (anonymous events have no person to match).
 */
export async function eventsPage(
  db: Tx,
  workspaceId: number,
  afterSeq: number,
  predicate: Predicate | undefined,
  limit: number,
) {
  let q = db
    .selectFrom('events as e')
    .leftJoin('people as p', (j) =>
      j.onRef('p.pid', '=', 'e.person_pid').onRef('p.workspace_id', '=', 'e.workspace_id'),
    )
    .select([
      'e.seq',
      'e.event_id',
      'e.type',
      'e.name',
      'e.data',
      'e.timestamp',
      'e.anonymous_id',
      'p.id as person_id',
      'p.email as person_email',
      'p.cio_id as person_cio_id',
    ])
    .where('e.workspace_id', '=', workspaceId)
    .where('e.seq', '>', afterSeq);
  if (predicate) q = q.where(sql<boolean>`p.pid is not null`).where(predicate);
  return q.orderBy('e.seq').limit(limit).execute();
}

/** One keyset page of a workspace's objects after `afterOid`, optionally of one type. */
export async function objectsPage(
  db: Tx,
  workspaceId: number,
  typeId: string | undefined,
  afterOid: number,
  limit: number,
) {
  let q = db
    .selectFrom('objects')
    .select(['oid', 'type_id', 'object_id', 'cio_object_id', 'attributes', 'created_at', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .where('oid', '>', afterOid);
  if (typeId !== undefined) q = q.where('type_id', '=', typeId);
  return q.orderBy('oid').limit(limit).execute();
}

/**
 * One keyset page of a workspace's relationships after (`afterOid`, `afterPid`), in object then
 * person order (the relationships' object index), with both sides' identifiers.
 */
export async function relationshipsPage(
  db: Tx,
  workspaceId: number,
  typeId: string | undefined,
  after: { oid: number; pid: number },
  limit: number,
) {
  let q = db
    .selectFrom('relationships as r')
    .innerJoin('objects as o', (j) =>
      j.onRef('o.oid', '=', 'r.object_oid').onRef('o.workspace_id', '=', 'r.workspace_id'),
    )
    .innerJoin('people as p', (j) =>
      j.onRef('p.pid', '=', 'r.person_pid').onRef('p.workspace_id', '=', 'r.workspace_id'),
    )
    .select([
      'r.object_oid',
      'r.person_pid',
      'r.attributes',
      'o.type_id',
      'o.object_id',
      'p.id',
      'p.email',
      'p.cio_id',
    ])
    .where('r.workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        eb('r.object_oid', '>', after.oid),
        eb.and([eb('r.object_oid', '=', after.oid), eb('r.person_pid', '>', after.pid)]),
      ]),
    );
  if (typeId !== undefined) q = q.where('o.type_id', '=', typeId);
  return q.orderBy('r.object_oid').orderBy('r.person_pid').limit(limit).execute();
}
