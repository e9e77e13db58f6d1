import type { DeviceFacts, EventFacts, PersonFacts } from '../../filter/evaluate.js';
import { personHistoryWorkspace, placeholders, queryRows, statement, type Statement } from '../sql.js';
import { parseJson, type Tx } from '../store.js';

/**
 * Reads one person's state for the in-memory evaluator: only what the workspace's segments need
 * (devices only when a condition is about devices, events only of the names conditions count,
 * their data only when a condition filters on it).
 */
export async function personFacts(
  db: Tx,
  workspaceId: number,
  pid: number,
): Promise<(PersonFacts & { workspaceId: number }) | undefined> {
  const row = await db
    .selectFrom('people')
    .select(['workspace_id', 'id', 'email', 'cio_id', 'attributes', 'unsubscribed'])
    .where('workspace_id', '=', workspaceId)
    .where('pid', '=', pid)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    workspaceId: Number(row.workspace_id),
    id: row.id,
    email: row.email,
    cioId: row.cio_id,
    attributes: parseJson<Record<string, unknown>>(row.attributes),
    unsubscribed: row.unsubscribed === 1,
  };
}

/** A person's memberships: segment id → entered_at. */
export async function membershipFacts(
  db: Tx,
  workspaceId: number,
  pid: number,
): Promise<Map<number, number>> {
  const rows = await queryRows<{ segment_id: number | string; entered_at: number | string }>(
    db,
    MEMBERSHIPS,
    [workspaceId, pid],
  );
  return new Map(rows.map((r) => [Number(r.segment_id), Number(r.entered_at)]));
}

const MEMBERSHIPS = statement(
  'select segment_id, entered_at from segment_memberships where workspace_id = ? and person_pid = ?',
);

export async function deviceFacts(db: Tx, workspaceId: number, pid: number): Promise<DeviceFacts[]> {
  const rows = await db
    .selectFrom('devices')
    .select(['token', 'platform', 'last_used', 'last_status', 'attributes'])
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', pid)
    .execute();
  return rows.map((r) => ({
    token: r.token,
    platform: r.platform,
    lastUsed: Number(r.last_used),
    lastStatus: r.last_status,
    attributes: parseJson<Record<string, unknown>>(r.attributes),
  }));
}

export async function eventFacts(
  db: Tx,
  workspaceId: number,
  pid: number,
  names: ReadonlySet<string>,
  withData: boolean,
): Promise<EventFacts[]> {
  if (names.size === 0) return [];
  const base = db
    .selectFrom('events')
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', pid)
    .where('name', 'in', [...names]);
  if (!withData) {
    const rows = await base.select(['type', 'name', 'timestamp']).execute();
    return rows.map((r) => ({ type: r.type, name: r.name, timestamp: Number(r.timestamp), data: null }));
  }
  const rows = await base.select(['type', 'name', 'timestamp', 'data']).execute();
  return rows.map((r) => ({
    type: r.type,
    name: r.name,
    timestamp: Number(r.timestamp),
    data: parseJson(r.data),
  }));
}

/** segment id → entered_at, for every segment (manual or dynamic) the person is in. */
export async function membershipsOf(db: Tx, workspaceId: number, pid: number): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('segment_memberships')
    .select(['segment_id', 'entered_at'])
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', pid)
    .execute();
  return new Map(rows.map((r) => [Number(r.segment_id), Number(r.entered_at)]));
}

export async function insertMemberships(
  db: Tx,
  workspaceId: number,
  pid: number,
  segmentIds: readonly number[],
  now: number,
): Promise<void> {
  if (segmentIds.length === 0) return;
  await db
    .insertInto('segment_memberships')
    .values(
      segmentIds.map((id) => ({
        workspace_id: workspaceId,
        segment_id: id,
        person_pid: pid,
        entered_at: now,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteMemberships(
  db: Tx,
  workspaceId: number,
  pid: number,
  segmentIds: readonly number[],
): Promise<void> {
  if (segmentIds.length === 0) return;
  await db
    .deleteFrom('segment_memberships')
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', pid)
    .where('segment_id', 'in', [...segmentIds])
    .execute();
}

/**
 * The segments a deleted person was still in, from their history: the last entered/exited
 * activity per segment (memberships themselves are deleted with the person).
 */
export async function openSegmentEntries(
  db: Tx,
  workspaceId: number,
  pid: number,
): Promise<Array<{ segmentId: number; identifiers: unknown }>> {
  const rows = await db
    .selectFrom('activities')
    .select(['type', 'data', 'customer_identifiers'])
    .where(personHistoryWorkspace(db), '=', workspaceId)
    .where('person_pid', '=', pid)
    .where('type', 'in', ['entered_segment', 'exited_segment'])
    .orderBy('id')
    .execute();
  const open = new Map<number, unknown>();
  for (const r of rows) {
    const id = Number(parseJson<{ segment_id?: unknown } | null>(r.data)?.segment_id);
    if (!Number.isSafeInteger(id)) continue;
    if (r.type === 'entered_segment') open.set(id, parseJson(r.customer_identifiers));
    else open.delete(id);
  }
  return [...open].map(([segmentId, identifiers]) => ({ segmentId, identifiers }));
}

const snapshots = new Map<string, Statement>();

/** The snapshot's SQL for one shape of needs (parameters: workspace id, the event names, pid). */
function snapshotStatement(
  dialect: 'sqlite' | 'postgres',
  devices: boolean,
  eventData: boolean,
  eventNames: number,
  segmentIds: number | undefined,
): Statement {
  const key = `${dialect}:${devices}:${eventData}:${eventNames}:${segmentIds ?? 'all'}`;
  const known = snapshots.get(key);
  if (known) return known;
  const pg = dialect === 'postgres';
  const agg = (items: string, from: string) =>
    pg
      ? `(select coalesce(json_agg(json_build_array(${items})), '[]'::json) ${from})`
      : `(select json_group_array(json_array(${items})) ${from})`;
  const only = segmentIds === undefined ? '' : ` and m.segment_id in (${placeholders(segmentIds)})`;
  const segs = agg(
    'm.segment_id, m.entered_at',
    `from segment_memberships as m where m.workspace_id = p.workspace_id and m.person_pid = p.pid${only}`,
  );
  const devs = devices
    ? agg(
        pg
          ? 'd.token, d.platform, d.last_used, d.last_status, d.attributes'
          : 'd.token, d.platform, d.last_used, d.last_status, json(d.attributes)',
        'from devices as d where d.workspace_id = p.workspace_id and d.person_pid = p.pid',
      )
    : 'null';
  const data = eventData ? (pg ? 'e.data' : 'json(e.data)') : 'null';
  const evs =
    eventNames > 0
      ? agg(
          `e.type, e.name, e.timestamp, ${data}`,
          `from events as e where e.workspace_id = p.workspace_id and e.person_pid = p.pid
           and e.name in (${placeholders(eventNames)})`,
        )
      : 'null';
  const made = statement(
    `select p.id, p.email, p.cio_id, p.attributes, p.unsubscribed,
       (select c.version from segment_catalog as c where c.workspace_id = ?) as version,
       ${segs} as segs, ${devs} as devs, ${evs} as evs
     from people as p where p.workspace_id = ? and p.pid = ?`,
  );
  if (snapshots.size < 1024) snapshots.set(key, made);
  return made;
}

/** What to read beside the person: devices, and events of these names (with their data or not). */
export interface SnapshotNeeds {
  /**
   * Read only the memberships of these segments (the ones a scoped evaluation looks at);
   * undefined: all of them. Aggregating every membership as JSON was most of the snapshot's cost.
   */
  segmentIds?: ReadonlySet<number> | undefined;
  devices: boolean;
  eventNames: ReadonlySet<string>;
  eventData: boolean;
}

/**
 * One round trip for everything a write's re-evaluation reads: the person, the workspace's
 * segment-definition version, the person's memberships and (as needed) devices and events,
 * aggregated as JSON. Statement count matters more than row size here: each statement costs a
 * prepare on SQLite.
 */
export async function personSnapshot(
  db: Tx,
  dialect: 'sqlite' | 'postgres',
  workspaceId: number,
  pid: number,
  needs: SnapshotNeeds,
): Promise<{
  person: PersonFacts | undefined;
  version: number;
  memberships: Map<number, number>;
  devices: DeviceFacts[] | undefined;
  events: EventFacts[] | undefined;
}> {
  const names = [...needs.eventNames];
  const ids = needs.segmentIds ? [...needs.segmentIds] : undefined;
  const text = snapshotStatement(dialect, needs.devices, needs.eventData, names.length, ids?.length);
  const [row] = await queryRows<{
    id: string | null;
    email: string | null;
    cio_id: string;
    attributes: unknown;
    unsubscribed: number;
    version: number | string | null;
    segs: unknown;
    devs: unknown;
    evs: unknown;
  }>(db, text, [workspaceId, ...(ids ?? []), ...names, workspaceId, pid]);
  if (!row)
    return { person: undefined, version: 0, memberships: new Map(), devices: undefined, events: undefined };
  const memberships = parseJson<Array<[number, number]>>(row.segs);
  const devs =
    row.devs === null
      ? undefined
      : parseJson<Array<[string, string, number, string, Record<string, unknown>]>>(row.devs);
  const evs = row.evs === null ? undefined : parseJson<Array<[string, string, number, unknown]>>(row.evs);
  return {
    person: {
      id: row.id,
      email: row.email,
      cioId: row.cio_id,
      attributes: parseJson<Record<string, unknown>>(row.attributes),
      unsubscribed: Number(row.unsubscribed) === 1,
    },
    version: Number(row.version ?? 0),
    memberships: new Map(memberships.map(([s, e]) => [Number(s), Number(e)])),
    devices: devs?.map(([token, platform, lastUsed, lastStatus, attributes]) => ({
      token,
      platform,
      lastUsed: Number(lastUsed),
      lastStatus,
      attributes: attributes ?? {},
    })),
    events: evs?.map(([type, name, timestamp, d]) => ({ type, name, timestamp: Number(timestamp), data: d })),
  };
}
