import { executeLater, queryRows, statement } from '../sql.js';
import { toJson, type Tx } from '../store.js';

export interface EventWrite {
  eventId: string;
  personPid: number | null;
  anonymousId: string | null;
  type: string;
  name: string;
  data: unknown;
  timestamp: number;
}

const EVENT_EXISTS = statement('select seq from events where workspace_id = ? and event_id = ?');

export async function eventExists(trx: Tx, workspaceId: number, eventId: string): Promise<boolean> {
  const rows = await queryRows(trx, EVENT_EXISTS, [workspaceId, eventId]);
  return rows.length > 0;
}

const INSERT_EVENT = statement(
  `insert into events (workspace_id, event_id, person_pid, anonymous_id, type, name, data, timestamp, created_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

/**
 * Stores an event. Nothing reads its result, so inside a PostgreSQL write transaction it travels
 * with the transaction's next statement or its COMMIT (`executeLater`): an event is one round trip
 * fewer, and a replayed event id still fails the write there (the unique index), as before.
 */
export async function insertEvent(trx: Tx, workspaceId: number, e: EventWrite, now: number): Promise<void> {
  await executeLater(trx, INSERT_EVENT, [
    workspaceId,
    e.eventId,
    e.personPid,
    e.anonymousId,
    e.type,
    e.name,
    e.data === undefined ? null : toJson(e.data),
    e.timestamp,
    now,
  ]);
}

export interface AttachedEvent {
  type: string;
  name: string;
  data: unknown;
  timestamp: number;
}

/** Attaches anonymous events (no person yet, not older than `since`) to a person; returns them. */
export async function attachAnonymousEvents(
  trx: Tx,
  workspaceId: number,
  anonymousId: string,
  personPid: number,
  since: number,
): Promise<AttachedEvent[]> {
  const rows = await trx
    .selectFrom('events')
    .select(['seq', 'type', 'name', 'data', 'timestamp'])
    .where('workspace_id', '=', workspaceId)
    .where('anonymous_id', '=', anonymousId)
    .where('person_pid', 'is', null)
    .where('timestamp', '>=', since)
    .orderBy('seq')
    .execute();
  if (rows.length === 0) return [];
  await trx
    .updateTable('events')
    .set({ person_pid: personPid })
    .where('workspace_id', '=', workspaceId)
    .where(
      'seq',
      'in',
      rows.map((r) => r.seq),
    )
    .execute();
  return rows.map((r) => ({
    type: r.type,
    name: r.name,
    data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data,
    timestamp: r.timestamp,
  }));
}

export async function moveEvents(
  trx: Tx,
  workspaceId: number,
  fromPid: number,
  toPid: number,
): Promise<number> {
  const r = await trx
    .updateTable('events')
    .set({ person_pid: toPid })
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', fromPid)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function findAnonymousLink(
  trx: Tx,
  workspaceId: number,
  anonymousId: string,
): Promise<number | undefined> {
  const row = await trx
    .selectFrom('anonymous_links')
    .select('person_pid')
    .where('workspace_id', '=', workspaceId)
    .where('anonymous_id', '=', anonymousId)
    .executeTakeFirst();
  return row?.person_pid;
}

export async function linkAnonymous(
  trx: Tx,
  workspaceId: number,
  anonymousId: string,
  personPid: number,
  now: number,
): Promise<void> {
  await trx
    .insertInto('anonymous_links')
    .values({ workspace_id: workspaceId, anonymous_id: anonymousId, person_pid: personPid, created_at: now })
    .onConflict((oc) => oc.columns(['workspace_id', 'anonymous_id']).doNothing())
    .execute();
}

export async function moveAnonymousLinks(
  trx: Tx,
  workspaceId: number,
  fromPid: number,
  toPid: number,
): Promise<void> {
  await trx
    .updateTable('anonymous_links')
    .set({ person_pid: toPid })
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', fromPid)
    .execute();
}
