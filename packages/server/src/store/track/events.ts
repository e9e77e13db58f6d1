import { executeLater, queryRows, statement, TransactionMemo } from '../sql.js';
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

/** Whether an event with this id is stored (the transaction's event view knows, or a lookup). */
export async function eventExists(trx: Tx, workspaceId: number, eventId: string): Promise<boolean> {
  const known = eventViews.get(trx, workspaceId)?.stored.get(eventId);
  if (known !== undefined) return known;
  const rows = await queryRows(trx, EVENT_EXISTS, [workspaceId, eventId]);
  return rows.length > 0;
}

/** An event a write will store: its id when the client gave one (else it is new), and its name. */
export interface EventLookup {
  id?: string | undefined;
  name: string;
}

/**
 * What a PostgreSQL write transaction read with its first statement about the events it writes
 * (`roster_event_view`, migration 151): whether each client-given id is stored, and which names
 * start an active triggered campaign. Kept up to date by `insertEvent`; a delete of events
 * (`forgetStoredEvents`) makes the ids unknown again, so they are looked up as before.
 */
interface EventView {
  stored: Map<string, boolean>;
  names: Set<string>;
  triggering: Set<string>;
}

const eventViews = new TransactionMemo<EventView>();

/** Bounds of one event view read; a batch beyond them looks its events up one by one. */
const MAX_EVENT_LOOKUPS = 2000;

/** The event view's arguments after the workspace (`?::text[], ?::text[]`), or undefined: none. */
export function eventViewArgs(lookups: readonly EventLookup[]): [string[], string[]] | undefined {
  if (lookups.length === 0 || lookups.length > MAX_EVENT_LOOKUPS) return undefined;
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const l of lookups) {
    if (l.id !== undefined) ids.add(l.id);
    names.add(l.name);
  }
  return [[...ids], [...names]];
}

export interface EventViewRow {
  seen: string[];
  triggering: string[];
}

/** Records what the event view read (`args` as `eventViewArgs` made them). */
export function rememberEventView(
  trx: Tx,
  workspaceId: number,
  [ids, names]: [string[], string[]],
  row: EventViewRow,
): void {
  const seen = new Set(row.seen);
  const stored = new Map<string, boolean>();
  for (const id of ids) stored.set(id, seen.has(id));
  eventViews.set(trx, workspaceId, { stored, names: new Set(names), triggering: new Set(row.triggering) });
}

const EVENT_VIEW = statement(
  'select r_seen as seen, r_triggering as triggering from roster_event_view(?, ?::text[], ?::text[])',
);

/** The event view alone (writes that name no person: anonymous events). PostgreSQL only. */
export async function prefetchEvents(
  trx: Tx,
  workspaceId: number,
  lookups: readonly EventLookup[],
): Promise<void> {
  const args = eventViewArgs(lookups);
  if (!args) return;
  const [row] = await queryRows<EventViewRow>(trx, EVENT_VIEW, [workspaceId, ...args]);
  if (row) rememberEventView(trx, workspaceId, args, row);
}

/** The transaction deleted events: their ids are looked up again. */
export function forgetStoredEvents(trx: Tx, workspaceId: number): void {
  eventViews.get(trx, workspaceId)?.stored.clear();
}

/** True when the transaction's first read found that no active campaign is triggered by `name`. */
export function knownToTriggerNothing(trx: Tx, workspaceId: number, name: string): boolean {
  const view = eventViews.get(trx, workspaceId);
  return view !== undefined && view.names.has(name) && !view.triggering.has(name);
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
  eventViews.get(trx, workspaceId)?.stored.set(e.eventId, true);
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
