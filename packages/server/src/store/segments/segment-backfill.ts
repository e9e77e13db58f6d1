import { randomInt } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { Tx } from '../store.js';
import { budgetCheck } from '../query-budget.js';

/**
 * Set-based membership maintenance for one segment over a whole workspace: the predicate is the
 * compiled condition over `people as p` (compile-filter.ts). Used when a segment is created or
 * edited, and by the time recheck. Entered/exited activities are written by the same statements'
 * twins (INSERT … SELECT), so a million-person backfill never round-trips rows through Node.
 */
export interface BackfillTarget {
  workspaceId: number;
  segmentId: number;
  segmentName: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Activity ids for a batch: a ULID's 10 time characters, 6 random ones shared by the statement and
 * a 10-digit row number, so ids stay unique, 26 characters long and time-sortable like ULIDs.
 */
function idPrefix(nowMs: number): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 6; i++) rand += CROCKFORD[randomInt(32)]!;
  return time + rand;
}

function activityId(dialect: DialectName, nowMs: number): RawBuilder<string> {
  const prefix = idPrefix(nowMs);
  return dialect === 'postgres'
    ? sql<string>`(${prefix}::text || lpad((row_number() over ())::text, 10, '0'))`
    : sql<string>`(${prefix} || printf('%010d', row_number() over ()))`;
}

function identifiersJson(dialect: DialectName): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`jsonb_build_object('id', p.id, 'email', p.email, 'cio_id', p.cio_id)`
    : sql`json_object('id', p.id, 'email', p.email, 'cio_id', p.cio_id)`;
}

function dataJson(dialect: DialectName, t: BackfillTarget): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`jsonb_build_object('segment_id', ${t.segmentId}::bigint, 'segment_name', ${t.segmentName}::text)`
    : sql`json_object('segment_id', ${t.segmentId}, 'segment_name', ${t.segmentName})`;
}

/** A parameter in a SELECT list: PostgreSQL cannot infer its type there, so it is cast. */
function typed(dialect: DialectName, v: number | string): RawBuilder<unknown> {
  if (dialect !== 'postgres') return sql`${v}`;
  return typeof v === 'number' ? sql`${v}::bigint` : sql`${v}::text`;
}

/**
 * The time part of a statement's activity ids. `now` has whole seconds; within that second the
 * wall clock's milliseconds order statements, so an exit recorded by an edit sorts after the entry
 * recorded by a create a moment earlier (activities list newest first by id).
 */
function idTime(now: number): number {
  return Math.min(Math.max(now * 1000, Date.now()), now * 1000 + 999);
}

function activityColumns(dialect: DialectName, t: BackfillTarget, type: string, now: number) {
  const v = (x: number | string) => typed(dialect, x);
  return sql`${activityId(dialect, idTime(now))}, ${v(t.workspaceId)}, p.pid, ${identifiersJson(dialect)}, ${v(type)}, ${v(t.segmentName)}, ${dataJson(dialect, t)}, 'system', null, null, ${v(now)}, 0`;
}

const ACTIVITY_INSERT = sql`insert into activities (id, workspace_id, person_pid, customer_identifiers, type, name, data, source, delivery_id, delivery_type, timestamp, deleted)`;

/**
 * People whose `pid` is in `(afterPid, toPid]`: one page of a recheck (`recheckTimed`); with
 * `pids` (PostgreSQL), only those of them.
 */
export interface PidRange {
  afterPid: number;
  toPid: number;
  pids?: readonly number[];
}

function inRange(column: RawBuilder<unknown>, range: PidRange | undefined): RawBuilder<boolean> {
  if (!range) return sql<boolean>`(1 = 1)`;
  const within = sql<boolean>`(${column} > ${range.afterPid} and ${column} <= ${range.toPid})`;
  return range.pids ? sql<boolean>`(${within} and ${column} = any(${[...range.pids]}::bigint[]))` : within;
}

/** A person a recheck page would move in or out of a segment, with the identifiers writers lock. */
export interface RecheckCandidate {
  pid: number;
  id: string | null;
  emailNorm: string | null;
  cioId: string;
  anonymousIds: string[];
}

/**
 * PostgreSQL: the people of `range` whose membership of the segment differs from its condition now
 * (who would enter or leave), read without locks. The recheck then locks only them
 * (services/segments/definitions.ts `recheckTimed`).
 */
export async function recheckCandidates(
  db: Tx,
  t: BackfillTarget,
  predicate: RawBuilder<boolean>,
  range: PidRange,
): Promise<RecheckCandidate[]> {
  const member = sql`exists (select 1 from segment_memberships as m where m.workspace_id = p.workspace_id and m.segment_id = ${t.segmentId} and m.person_pid = p.pid)`;
  const r = await sql<{
    pid: number | string;
    id: string | null;
    email_norm: string | null;
    cio_id: string;
    anonymous_ids: string[] | null;
  }>`select p.pid, p.id, p.email_norm, p.cio_id,
        (select array_agg(a.anonymous_id) from anonymous_links as a
          where a.workspace_id = p.workspace_id and a.person_pid = p.pid) as anonymous_ids
      from people as p
      where p.workspace_id = ${t.workspaceId} and ${inRange(sql`p.pid`, range)}
        and (case when ${predicate} then 1 else 0 end) <> (case when ${member} then 1 else 0 end)`.execute(
    db,
  );
  return r.rows.map((row) => ({
    pid: Number(row.pid),
    id: row.id,
    emailNorm: row.email_norm,
    cioId: row.cio_id,
    anonymousIds: row.anonymous_ids ?? [],
  }));
}

/**
 * Removes members who no longer match, with an `exited_segment` each. Returns how many left.
 * `range`: only members whose pid is in it.
 */
export async function backfillExits(
  db: Tx,
  dialect: DialectName,
  t: BackfillTarget,
  predicate: RawBuilder<boolean>,
  now: number,
  activities = true,
  range?: PidRange,
): Promise<number> {
  if (activities)
    await sql`${ACTIVITY_INSERT} select ${activityColumns(dialect, t, 'exited_segment', now)}
      from segment_memberships as m join people as p on p.pid = m.person_pid and p.workspace_id = m.workspace_id
      where m.workspace_id = ${t.workspaceId} and m.segment_id = ${t.segmentId} and ${inRange(sql`m.person_pid`, range)} and not ${predicate}`.execute(
      db,
    );
  const r = await sql`delete from segment_memberships
      where workspace_id = ${t.workspaceId} and segment_id = ${t.segmentId}
      and ${inRange(sql`segment_memberships.person_pid`, range)}
      and not exists (select 1 from people as p where p.workspace_id = segment_memberships.workspace_id
        and p.pid = segment_memberships.person_pid and ${predicate})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** The highest person pid of a workspace (0 when it has nobody): where a paged recheck ends. */
export async function maxPersonPid(db: Tx, workspaceId: number): Promise<number> {
  const r = await sql<{
    m: number | string | null;
  }>`select max(pid) as m from people where workspace_id = ${workspaceId}`.execute(db);
  return Number(r.rows[0]?.m ?? 0);
}

/**
 * The statement of `backfillEntries` that adds the members (exported so a test can EXPLAIN it:
 * docs/scaling.md "Which indexes carry which queries").
 */
export function entriesInsert(
  dialect: DialectName,
  t: BackfillTarget,
  predicate: RawBuilder<boolean>,
  now: number,
  options: { fresh: boolean; range?: PidRange },
): RawBuilder<unknown> {
  const range = inRange(sql`p.pid`, options.range);
  const notMember = options.fresh
    ? sql`(1 = 1)`
    : sql`not exists (select 1 from segment_memberships as m where m.workspace_id = p.workspace_id and m.segment_id = ${t.segmentId} and m.person_pid = p.pid)`;
  return sql`insert into segment_memberships (workspace_id, segment_id, person_pid, entered_at)
      select ${typed(dialect, t.workspaceId)}, ${typed(dialect, t.segmentId)}, p.pid, ${typed(dialect, now)} from people as p
      where p.workspace_id = ${t.workspaceId} and ${range} and ${predicate} and ${notMember}`;
}

/**
 * Adds people who match and are not members yet, with an `entered_segment` each. `fresh`: the
 * segment has no members (just created), so the activities are read back from the new rows instead
 * of evaluating the condition twice.
 */
export async function backfillEntries(
  db: Tx,
  dialect: DialectName,
  t: BackfillTarget,
  predicate: RawBuilder<boolean>,
  now: number,
  options: { fresh: boolean; activities: boolean; range?: PidRange },
): Promise<number> {
  const range = inRange(sql`p.pid`, options.range);
  const notMember = options.fresh
    ? sql`(1 = 1)`
    : sql`not exists (select 1 from segment_memberships as m where m.workspace_id = p.workspace_id and m.segment_id = ${t.segmentId} and m.person_pid = p.pid)`;
  if (options.activities && !options.fresh)
    await sql`${ACTIVITY_INSERT} select ${activityColumns(dialect, t, 'entered_segment', now)}
      from people as p where p.workspace_id = ${t.workspaceId} and ${range} and ${predicate} and ${notMember}`.execute(
      db,
    );
  const r = await entriesInsert(dialect, t, predicate, now, options).execute(db);
  if (options.activities && options.fresh)
    await sql`${ACTIVITY_INSERT} select ${activityColumns(dialect, t, 'entered_segment', now)}
      from segment_memberships as m join people as p on p.pid = m.person_pid and p.workspace_id = m.workspace_id
      where m.workspace_id = ${t.workspaceId} and m.segment_id = ${t.segmentId}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * How many people of the workspace match (`POST /v1/segments/count`), as a statement for
 * `Store.boundedRead`: the time budget is checked for every person considered.
 */
export function countMatchingQuery(
  dialect: DialectName,
  workspaceId: number,
  predicate: RawBuilder<boolean>,
): RawBuilder<{ n: number | string }> {
  return sql<{ n: number | string }>`select count(*) as n from people as p
      where p.workspace_id = ${workspaceId} and ${budgetCheck(dialect)} and ${predicate}`;
}

/** The identifiers (and anonymous ids) of these people as they are now: `RecheckCandidate`s. */
export async function identitiesOf(
  db: Tx,
  workspaceId: number,
  pids: readonly number[],
): Promise<RecheckCandidate[]> {
  const r = await sql<{
    pid: number | string;
    id: string | null;
    email_norm: string | null;
    cio_id: string;
    anonymous_ids: string[] | null;
  }>`select p.pid, p.id, p.email_norm, p.cio_id,
        (select array_agg(a.anonymous_id) from anonymous_links as a
          where a.workspace_id = p.workspace_id and a.person_pid = p.pid) as anonymous_ids
      from people as p where p.workspace_id = ${workspaceId} and p.pid = any(${[...pids]}::bigint[])`.execute(
    db,
  );
  return r.rows.map((row) => ({
    pid: Number(row.pid),
    id: row.id,
    emailNorm: row.email_norm,
    cioId: row.cio_id,
    anonymousIds: row.anonymous_ids ?? [],
  }));
}
