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

export async function eventExists(trx: Tx, workspaceId: number, eventId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('events')
    .select('seq')
    .where('workspace_id', '=', workspaceId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertEvent(trx: Tx, workspaceId: number, e: EventWrite, now: number): Promise<void> {
  await trx
    .insertInto('events')
    .values({
      workspace_id: workspaceId,
      event_id: e.eventId,
      person_pid: e.personPid,
      anonymous_id: e.anonymousId,
      type: e.type,
      name: e.name,
      data: toJson(e.data),
      timestamp: e.timestamp,
      created_at: now,
    })
    .execute();
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

export async function moveEvents(trx: Tx, fromPid: number, toPid: number): Promise<number> {
  const r = await trx
    .updateTable('events')
    .set({ person_pid: toPid })
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

export async function moveAnonymousLinks(trx: Tx, fromPid: number, toPid: number): Promise<void> {
  await trx
    .updateTable('anonymous_links')
    .set({ person_pid: toPid })
    .where('person_pid', '=', fromPid)
    .execute();
}
