import { sql, type Selectable } from 'kysely';
import type { PeopleTable } from '../schema/index.js';
import { newCioId, reseedCioIds } from '../../lib/cio-id.js';
import {
  executeLater,
  InsertStatement,
  personHistoryWorkspace,
  insertReturningId,
  queryRows,
  statement,
  type Statement,
} from '../sql.js';
import { parseJson, toJson, type Tx } from '../store.js';
import { catalogStable, noteVersionSeen } from '../segments/segment-tables.js';
import { knownUnsuppressed, noteUnsuppressed } from './suppressions.js';
import { dropPersonView, personView, prefetchPeople, remember, viewKey, viewsOf } from './person-view.js';
import { forgetStoredEvents, type EventLookup } from './events.js';
import { emailKey, storedEmail } from '../../lib/email.js';

/** Attribute maps have no prototype: a key such as `constructor` is plain data, never inherited. */
export type AttrMap = Record<string, unknown>;
export type TsMap = Record<string, number>;

export function dict<T = unknown>(from?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (from) for (const [k, v] of Object.entries(from)) out[k] = v;
  return out;
}

/**
 * A JSON object column as an attribute map: JSON.parse makes every key (even `__proto__`) an own
 * data property, so dropping the prototype afterwards gives the same map as copying into `dict()`
 * without the copy (the copy was 5% of an import's CPU).
 */
export function parseDict<T = unknown>(value: unknown): Record<string, T> {
  const parsed = parseJson<Record<string, T> | null>(value);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return dict<T>();
  // PostgreSQL's driver hands back objects it parsed itself: the same holds for them.
  return Object.setPrototypeOf(parsed, null) as Record<string, T>;
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
    attributes: parseDict(row.attributes),
    attrTs: parseDict<number>(row.attr_ts),
    unsubscribed: row.unsubscribed === 1,
    createdAt: row.created_at,
  };
}

/**
 * The columns `toPerson` reads, named (not `*`): PostgreSQL keeps these statements prepared per
 * connection, and a prepared `*` fails once a migration adds a column.
 */
const PERSON_COLUMNS = [
  'pid',
  'workspace_id',
  'cio_id',
  'id',
  'email',
  'attributes',
  'attr_ts',
  'unsubscribed',
  'created_at',
];
const COLUMNS = PERSON_COLUMNS.join(', ');
const P_COLUMNS = PERSON_COLUMNS.map((c) => `p.${c}`).join(', ');

const FIND = {
  id: statement(`select ${COLUMNS} from people where workspace_id = ? and id = ?`),
  email: statement(`select ${COLUMNS} from people where workspace_id = ? and email_norm = ?`),
  cio_id: statement(`select ${COLUMNS} from people where workspace_id = ? and cio_id = ?`),
};
const FIND_BY_PID = statement(`select ${COLUMNS} from people where workspace_id = ? and pid = ?`);

/** A copy of a person the transaction's view knows (callers may change the maps they get). */
function fromView(row: PersonRow | null): PersonRow | undefined {
  return row ? { ...row, attributes: dict(row.attributes), attrTs: dict(row.attrTs) } : undefined;
}

export async function findPerson(trx: Tx, workspaceId: number, ref: Lookup): Promise<PersonRow | undefined> {
  const view = personView(trx, workspaceId);
  const known = view?.people.get(viewKey(ref));
  if (known !== undefined) return fromView(known as PersonRow | null);
  const value = ref.kind === 'email' ? emailKey(ref.value) : ref.value;
  const [row] = await queryRows<Selectable<PeopleTable>>(trx, FIND[ref.kind], [workspaceId, value]);
  return row && toPerson(row);
}

const FIND_COLUMN = { id: 'id', email: 'email_norm', cio_id: 'cio_id' } as const;
const findUnlessSuppressed = new Map<string, Statement>();

/**
 * `findPerson`, and whether any of `suppressed` is a suppressed identifier, in one statement (one
 * round trip fewer per Track write on PostgreSQL). `suppressed` holds (kind, value) pairs. The
 * same statement says whether the workspace has any suppression at all (if not, the rest of a
 * SQLite transaction skips the check: `noteUnsuppressed`) and its segment catalog version (for the
 * segments engine's check at the end of the write: `noteVersionSeen`).
 */
export async function findPersonChecking(
  trx: Tx,
  workspaceId: number,
  ref: Lookup,
  suppressed: ReadonlyArray<{ kind: string; value: string }>,
): Promise<{ person: PersonRow | undefined; suppressed: boolean }> {
  if (suppressed.length === 0 || knownUnsuppressed(trx, workspaceId))
    return { person: await findPerson(trx, workspaceId, ref), suppressed: false };
  const view = personView(trx, workspaceId);
  const known = view?.people.get(viewKey(ref));
  if (
    view &&
    known !== undefined &&
    suppressed.every((k) => view.suppressionKnown.has(`${k.kind}:${k.value}`))
  )
    return {
      person: fromView(known as PersonRow | null),
      suppressed: suppressed.some((k) => view.suppressed.has(`${k.kind}:${k.value}`)),
    };
  const key = `${ref.kind}:${suppressed.length}`;
  let st = findUnlessSuppressed.get(key);
  if (!st) {
    const check = `(select count(*) from suppressions as s where s.workspace_id = ? and (${suppressed
      .map(() => '(s.kind = ? and s.value = ?)')
      .join(' or ')}))`;
    const any = '(select count(*) from (select 1 from suppressions where workspace_id = ? limit 1) as x)';
    const version = '(select version from segment_catalog where workspace_id = ?)';
    st = statement(
      `select ${check} as suppressed_count, ${any} as any_suppression, ${version} as catalog_version, ${P_COLUMNS}
       from (select 1 as one) as one
       left join people as p on p.workspace_id = ? and p.${FIND_COLUMN[ref.kind]} = ?`,
    );
    findUnlessSuppressed.set(key, st);
  }
  const params: unknown[] = [workspaceId];
  for (const k of suppressed) params.push(k.kind, k.value);
  params.push(workspaceId, workspaceId, workspaceId, ref.kind === 'email' ? emailKey(ref.value) : ref.value);
  const [row] = await queryRows<
    Selectable<PeopleTable> & {
      suppressed_count: number | string;
      any_suppression: number | string;
      catalog_version: number | string | null;
    }
  >(trx, st, params);
  if (Number(row?.any_suppression ?? 1) === 0) noteUnsuppressed(trx, workspaceId);
  // The segments engine's check after this write then needs no statement of its own.
  if (row && catalogStable(trx, workspaceId))
    noteVersionSeen(trx, workspaceId, Number(row.catalog_version ?? 0));
  return {
    suppressed: Number(row?.suppressed_count ?? 0) > 0,
    person: row && row.pid !== null ? toPerson(row) : undefined,
  };
}

/** A person as `json_agg` gives it (store/track/person-view.ts): numbers and objects already parsed. */
function personFromJson(json: Record<string, unknown>): PersonRow {
  return {
    pid: Number(json.pid),
    workspaceId: Number(json.workspace_id),
    cioId: String(json.cio_id),
    id: typeof json.id === 'string' ? json.id : null,
    email: typeof json.email === 'string' ? json.email : null,
    attributes: parseDict(json.attributes),
    attrTs: parseDict<number>(json.attr_ts),
    unsubscribed: Number(json.unsubscribed) === 1,
    createdAt: Number(json.created_at),
  };
}

/**
 * PostgreSQL batches: reads the people `lookups` name, their suppressions and `newPeople` reserved
 * pids in one statement (store/track/person-view.ts); the batch's items then read them from memory.
 */
export async function prefetchPeopleFor(
  trx: Tx,
  workspaceId: number,
  lookups: readonly Lookup[],
  newPeople: number,
  events: readonly EventLookup[] = [],
): Promise<void> {
  await prefetchPeople(trx, workspaceId, lookups, newPeople, personFromJson, events);
}

export async function findPersonByPid(
  trx: Tx,
  workspaceId: number,
  pid: number,
): Promise<PersonRow | undefined> {
  const [row] = await queryRows<Selectable<PeopleTable>>(trx, FIND_BY_PID, [workspaceId, pid]);
  return row && toPerson(row);
}

export interface PersonWrite {
  id: string | null;
  email: string | null;
  attributes: AttrMap;
  attrTs: TsMap;
  unsubscribed: boolean;
}

const INSERT = new InsertStatement(
  `insert into people (workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   on conflict (workspace_id, cio_id) do nothing`,
  'pid',
);
const INSERT_WITH_PID = statement(
  `insert into people (pid, workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
/** Fresh cio_ids tried before giving up: a second taken id in a row would already be remarkable. */
const CIO_ID_ATTEMPTS = 5;
const UPDATE_ATTRIBUTES = statement(
  'update people set attributes = ?, attr_ts = ?, unsubscribed = ?, updated_at = ? where pid = ? and workspace_id = ?',
);
const UPDATE = statement(
  `update people set id = ?, email = ?, email_norm = ?, attributes = ?, attr_ts = ?, unsubscribed = ?, updated_at = ?
   where pid = ? and workspace_id = ?`,
);

/**
 * Inserts a new person under a new cio_id (lib/cio-id.ts). An id another process took in the same
 * second is skipped with `on conflict do nothing` (no error, so a PostgreSQL transaction stays
 * usable) and the insert runs again with a fresh one.
 */
export async function insertPerson(
  trx: Tx,
  workspaceId: number,
  p: PersonWrite,
  now: number,
): Promise<PersonRow> {
  const attributes = toJson(p.attributes);
  const attrTs = toJson(p.attrTs);
  const view = personView(trx, workspaceId);
  // The INSERT's values after the pid, for a cio_id (both INSERTs take them in this order).
  const values = (cioId: string) => [
    workspaceId,
    cioId,
    p.id,
    p.email === null ? null : storedEmail(p.email),
    p.email === null ? null : emailKey(p.email),
    attributes,
    attrTs,
    p.unsubscribed ? 1 : 0,
    now,
    now,
  ];
  // In order: people a batch creates get ascending pids, as they did one INSERT at a time.
  const reserved = view?.pids.shift();
  if (view && reserved !== undefined) {
    // A reserved pid: nothing to read back, so the INSERT waits for the next statement or COMMIT.
    // A cio_id another process took (a unique violation) fails the batch, which is retried whole.
    const cioId = newCioId(now);
    await executeLater(trx, INSERT_WITH_PID, [reserved, ...values(cioId)]);
    const person = personWritten(reserved, workspaceId, cioId, p, now);
    remember(view, person, cioId);
    return person;
  }
  for (let attempt = 1; ; attempt++) {
    const cioId = newCioId(now);
    // Only the new pid comes back: RETURNING * cost SQLite more than the insert itself.
    const pid = await insertReturningId(trx, INSERT, values(cioId));
    if (pid !== undefined) return personWritten(pid, workspaceId, cioId, p, now);
    reseedCioIds();
    if (attempt >= CIO_ID_ATTEMPTS) throw new Error(`no free cio_id after ${attempt} attempts`);
  }
}

function personWritten(
  pid: number,
  workspaceId: number,
  cioId: string,
  p: PersonWrite,
  now: number,
): PersonRow {
  return {
    pid,
    workspaceId,
    cioId,
    id: p.id,
    email: p.email,
    // The maps written (the caller's own dicts), not copies.
    attributes: p.attributes,
    attrTs: p.attrTs,
    unsubscribed: p.unsubscribed,
    createdAt: now,
  };
}

/**
 * Writes a person's identifiers and attributes. With `before` (the row as read), a write that keeps
 * the identifiers leaves them out of the UPDATE: SQLite rewrites the index entries of every column
 * an UPDATE sets, which made an attribute update cost twice what it needs.
 */
export async function updatePerson(
  trx: Tx,
  person: Pick<PersonRow, 'pid' | 'workspaceId'>,
  p: PersonWrite,
  now: number,
  before?: Pick<PersonRow, 'id' | 'email'>,
): Promise<void> {
  const pid = person.pid;
  const attrs = [
    toJson(p.attributes),
    toJson(p.attrTs),
    p.unsubscribed ? 1 : 0,
    now,
    pid,
    person.workspaceId,
  ];
  const same = before !== undefined && before.id === p.id && before.email === p.email;
  keepViewCurrent(trx, pid, p, same);
  if (same) {
    await executeLater(trx, UPDATE_ATTRIBUTES, attrs);
    return;
  }
  await executeLater(trx, UPDATE, [
    p.id,
    p.email === null ? null : storedEmail(p.email),
    p.email === null ? null : emailKey(p.email),
    ...attrs,
  ]);
}

/** The transaction's person view after an update: the row follows, unless identifiers moved. */
function keepViewCurrent(trx: Tx, pid: number, p: PersonWrite, sameIdentifiers: boolean): void {
  const views = viewsOf(trx);
  for (const [workspaceId, view] of views) {
    const key = p.id !== null ? `id:${p.id}` : p.email !== null ? `email:${emailKey(p.email)}` : undefined;
    const old = key ? view.people.get(key) : undefined;
    if (!sameIdentifiers || !old || old.pid !== pid) {
      // Not a person the view follows by these identifiers: it may hold them stale.
      if (!sameIdentifiers || [...view.people.values()].some((r) => r?.pid === pid))
        dropPersonView(trx, workspaceId);
      continue;
    }
    const row = old as PersonRow;
    const next: PersonRow = {
      ...row,
      attributes: p.attributes,
      attrTs: p.attrTs,
      unsubscribed: p.unsubscribed,
    };
    remember(view, next, row.cioId);
  }
}

/** Removes the person with their devices, events, memberships and anonymous links. */
export async function deletePersonRows(
  trx: Tx,
  person: Pick<PersonRow, 'pid' | 'workspaceId'>,
): Promise<{ devices: number; events: number }> {
  dropPersonView(trx);
  const { pid, workspaceId: ws } = person;
  forgetStoredEvents(trx, ws);
  const devices = await trx
    .deleteFrom('devices')
    .where('workspace_id', '=', ws)
    .where('person_pid', '=', pid)
    .executeTakeFirst();
  const events = await trx
    .deleteFrom('events')
    .where('workspace_id', '=', ws)
    .where('person_pid', '=', pid)
    .executeTakeFirst();
  await trx
    .deleteFrom('segment_memberships')
    .where('workspace_id', '=', ws)
    .where('person_pid', '=', pid)
    .execute();
  await trx
    .deleteFrom('anonymous_links')
    .where('workspace_id', '=', ws)
    .where('person_pid', '=', pid)
    .execute();
  await trx.deleteFrom('people').where('workspace_id', '=', ws).where('pid', '=', pid).execute();
  return { devices: Number(devices.numDeletedRows), events: Number(events.numDeletedRows) };
}

/**
 * Marks a person's history as belonging to a deleted person (App API `deleted=true`), which is
 * found by the identifiers each row records: the rows that left them out (store/activities/
 * activities.ts) get the ones they stood for — the nearest earlier row's, else `identifiers` (the
 * person's, when the row that recorded them is gone) — and each email its key (`email_norm`,
 * lib/email.ts), so the lookup is case-insensitive beyond ASCII on both engines alike.
 * One statement per distinct set of identifiers in the history (usually one) beside two.
 */
export async function markActivitiesDeleted(
  trx: Tx,
  workspaceId: number,
  pid: number,
  identifiers: { id: string | null; email: string | null; cio_id: string } | null = null,
): Promise<void> {
  await sql`update activities set customer_identifiers = coalesce(
      (select b.customer_identifiers from activities b
        where ${personHistoryWorkspace(trx, 'b.workspace_id')} = activities.workspace_id and b.person_pid = activities.person_pid
          and b.id < activities.id and b.customer_identifiers is not null
        order by b.id desc limit 1),
      ${identifiers ? toJson(identifiers) : null})
    where ${personHistoryWorkspace(trx)} = ${workspaceId} and person_pid = ${pid} and customer_identifiers is null`.execute(
    trx,
  );
  const distinct = await trx
    .selectFrom('activities')
    .select('customer_identifiers')
    .distinct()
    .where(personHistoryWorkspace(trx), '=', workspaceId)
    .where('person_pid', '=', pid)
    .where('customer_identifiers', 'is not', null)
    .execute();
  for (const { customer_identifiers: stored } of distinct) {
    const ids = parseJson<Record<string, unknown> | null>(stored);
    if (!ids || typeof ids.email !== 'string' || ids.email_norm === emailKey(ids.email)) continue;
    await trx
      .updateTable('activities')
      .set({ customer_identifiers: toJson({ ...ids, email_norm: emailKey(ids.email) }) })
      .where(personHistoryWorkspace(trx), '=', workspaceId)
      .where('person_pid', '=', pid)
      .where('customer_identifiers', '=', typeof stored === 'string' ? stored : toJson(stored))
      .execute();
  }
  await trx
    .updateTable('activities')
    .set({ deleted: 1 })
    .where(personHistoryWorkspace(trx), '=', workspaceId)
    .where('person_pid', '=', pid)
    .execute();
}
