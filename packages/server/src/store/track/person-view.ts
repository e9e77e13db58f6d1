import { queryRows, statement, TransactionMemo } from '../sql.js';
import type { Tx } from '../store.js';
import { catalogStable, noteVersionSeen } from '../segments/segment-tables.js';
import type { Lookup } from './people.js';
import { emailKey } from '../../lib/email.js';
import {
  eventViewArgs,
  prefetchEvents,
  rememberEventView,
  type EventLookup,
  type EventViewRow,
} from './events.js';

/**
 * What a PostgreSQL batch transaction read up front about the identifiers it locked: the people
 * they name (or that nobody has them), which of them are suppressed, and person ids reserved for
 * the people it may create. One statement for the whole batch, instead of a read (and an INSERT …
 * RETURNING) per item: a v2 batch of 100 new people went from 202 statements to 2.
 *
 * Valid while the transaction holds the advisory locks of those identifiers (no other writer can
 * give them to someone or suppress them) and as long as the transaction's own writes keep it up to
 * date: `people.ts` records each person it inserts or updates; every other change to people or
 * suppressions (a delete, a merge, an identifier change, a suppress) drops the view, and the rest
 * of the transaction reads as it did before.
 */
export interface PersonView {
  /** `kind:value` (email lower-cased) → the person's row as last written, or null: nobody. */
  people: Map<string, PersonRowLike | null>;
  /** `kind:value` of the suppressed identifiers among those looked up (id and email only). */
  suppressed: Set<string>;
  /** `kind:value` whose suppression was looked up. */
  suppressionKnown: Set<string>;
  /** Reserved person ids, used by new people's INSERTs (which then need no RETURNING). */
  pids: number[];
}

/** The row shape people.ts keeps (its PersonRow; restated here to keep the import one-way). */
export interface PersonRowLike {
  pid: number;
  id: string | null;
  email: string | null;
}

const views = new TransactionMemo<PersonView>();

export function personView(trx: Tx, workspaceId: number): PersonView | undefined {
  return views.get(trx, workspaceId);
}

export function viewsOf(trx: Tx): Array<[number, PersonView]> {
  return [...views.entries(trx)];
}

/** The transaction changed people or suppressions in a way the view does not follow. */
export function dropPersonView(trx: Tx, workspaceId?: number): void {
  if (workspaceId === undefined) views.clear(trx);
  else views.delete(trx, workspaceId);
}

export function viewKey(ref: Lookup): string {
  return `${ref.kind}:${ref.kind === 'email' ? emailKey(ref.value) : ref.value}`;
}

/** Reads 2,000 identifiers at most per batch this way; beyond that the items read their own. */
const MAX_LOOKUPS = 2000;

/**
 * The read itself is `roster_person_view` (migration 140), whose body holds the statement.
 *
 * Each identifier is looked up by one probe of its unique index (a LATERAL subquery per value: the
 * planner can neither turn it into a scan nor into a hash join), a plan that holds whatever
 * PostgreSQL's statistics say. The earlier form (`workspace_id = ? and (id = any(?) or email_norm
 * = any(?) or …)`) was planned, on a workspace whose people had not been analyzed yet (a new
 * database filling up: the bench, an import), as a scan of every person of the workspace through
 * the workspace's index with the arrays as a filter: 71 ms of PostgreSQL per v2 batch at 55,000
 * people instead of 2 ms, and growing with the workspace. A plain join of the arrays fared no
 * better: believing the workspace small, the planner hashed the arrays and scanned it.
 *
 * Why a function: the read goes in one simple-protocol query with BEGIN and the advisory locks
 * (one round trip), so its values are inlined and the statement was parsed and planned on every
 * write (~700 µs of PostgreSQL CPU per identify). plpgsql plans its body once per connection; the
 * call plans in microseconds.
 */
export const PREFETCH = statement(
  `select r_people as people, r_suppressed as suppressed, r_catalog_version as catalog_version, r_pids as pids
     from roster_person_view(?, ?::text[], ?::text[], ?::text[], ?::int)`,
);

/**
 * The same read with the events' (store/track/events.ts, `roster_event_view`, migration 151): the
 * ids of events already stored and the names that trigger campaigns, in the same statement.
 */
const PREFETCH_WITH_EVENTS = statement(
  `select r_people as people, r_suppressed as suppressed, r_catalog_version as catalog_version, r_pids as pids,
          r_seen as seen, r_triggering as triggering
     from roster_person_view(?, ?::text[], ?::text[], ?::text[], ?::int)
     cross join roster_event_view(?, ?::text[], ?::text[])`,
);

/**
 * Reads the view for `lookups` (PostgreSQL batch transactions), and for the `events` the writes
 * will store in the same statement. `toRow` turns a person as JSON into the row type of people.ts.
 */
export async function prefetchPeople<R extends PersonRowLike>(
  trx: Tx,
  workspaceId: number,
  lookups: readonly Lookup[],
  newPeople: number,
  toRow: (json: Record<string, unknown>) => R,
  events: readonly EventLookup[] = [],
): Promise<void> {
  if (lookups.length === 0 || lookups.length > MAX_LOOKUPS) return prefetchEvents(trx, workspaceId, events);
  const eventArgs = eventViewArgs(events);
  const ids: string[] = [];
  const emails: string[] = [];
  const cioIds: string[] = [];
  for (const l of lookups) {
    if (l.kind === 'id') ids.push(l.value);
    else if (l.kind === 'email') emails.push(emailKey(l.value));
    else cioIds.push(l.value);
  }
  const params: unknown[] = [workspaceId, ids, emails, cioIds, newPeople];
  if (eventArgs) params.push(workspaceId, ...eventArgs);
  const [row] = await queryRows<
    {
      people: Array<Record<string, unknown>> | string;
      suppressed: string[];
      catalog_version: number | string | null;
      pids: Array<number | string>;
    } & Partial<EventViewRow>
  >(trx, eventArgs ? PREFETCH_WITH_EVENTS : PREFETCH, params);
  if (!row) return;
  if (eventArgs) rememberEventView(trx, workspaceId, eventArgs, row as EventViewRow);
  const view: PersonView = {
    people: new Map(),
    suppressed: new Set(row.suppressed),
    suppressionKnown: new Set(),
    pids: row.pids.map(Number),
  };
  for (const v of ids) view.people.set(`id:${v}`, null);
  for (const v of emails) view.people.set(`email:${v}`, null);
  for (const v of cioIds) view.people.set(`cio_id:${v}`, null);
  for (const v of ids) view.suppressionKnown.add(`id:${v}`);
  for (const v of emails) view.suppressionKnown.add(`email:${v}`);
  const people =
    typeof row.people === 'string' ? (JSON.parse(row.people) as Array<Record<string, unknown>>) : row.people;
  for (const json of people) remember(view, toRow(json), json.cio_id as string);
  views.set(trx, workspaceId, view);
  if (catalogStable(trx, workspaceId)) noteVersionSeen(trx, workspaceId, Number(row.catalog_version ?? 0));
}

/** Records a person as written (inserted or updated, identifiers unchanged or new). */
export function remember(view: PersonView, person: PersonRowLike, cioId: string): void {
  if (person.id !== null) view.people.set(`id:${person.id}`, person);
  if (person.email !== null) view.people.set(`email:${emailKey(person.email)}`, person);
  view.people.set(`cio_id:${cioId}`, person);
}
