import { sql, type Selectable } from 'kysely';
import type { ActivitiesTable } from '../schema/index.js';
import type { DialectName } from '../dialect.js';
import { parseJson, type Tx } from '../store.js';
import { jsonHasKey } from '../filter/json-sql.js';
import { CREATE_CHANGE, storedTypes, successorId } from './activities.js';

export type ActivityRow = Selectable<ActivitiesTable>;

export interface ActivityQuery {
  workspaceId: number;
  /** One person's history; `undefined` for the whole workspace. */
  personPid?: number | undefined;
  /** Match on the identifiers recorded with the activity (deleted people have no row to resolve). */
  identifier?: { key: 'id' | 'email' | 'cio_id'; value: string } | undefined;
  type?: string | undefined;
  /** Event/screen/page name, or an attribute name changed by an `attribute_change`. */
  name?: string | undefined;
  deleted: boolean;
  /** Keyset cursor: only activities with an id below this one (newest first). */
  beforeId?: string | undefined;
  limit: number;
}

/**
 * A row's identifiers: its own, else (the rows that leave them out, store/activities/activities.ts)
 * those of the person's nearest earlier row that records them (one probe of the partial index
 * `activities_person_identifiers`), else the person's own (when retention dropped that row).
 */
function identifiersOfRow(dialect: DialectName) {
  const person =
    dialect === 'postgres'
      ? sql`(select jsonb_build_object('id', p.id, 'email', p.email, 'cio_id', p.cio_id) from people p
          where p.workspace_id = a.workspace_id and p.pid = a.person_pid)`
      : sql`(select json_object('id', p.id, 'email', p.email, 'cio_id', p.cio_id) from people p
          where p.workspace_id = a.workspace_id and p.pid = a.person_pid)`;
  // `+b.workspace_id` on SQLite: the probe goes to the partial index, not backwards through the
  // workspace's key `(workspace_id, id)` (migration 133).
  const workspace = dialect === 'postgres' ? sql`b.workspace_id` : sql`+b.workspace_id`;
  return sql<unknown>`coalesce(a.customer_identifiers,
    (select b.customer_identifiers from activities b
      where ${workspace} = a.workspace_id and b.person_pid = a.person_pid and b.id < a.id
        and b.customer_identifiers is not null
      order by b.id desc limit 1),
    ${person})`;
}

/** Activities newest first (`id desc`: ids are ULIDs), one page of rows (a row may show as two). */
export async function listActivities(db: Tx, dialect: DialectName, q: ActivityQuery): Promise<ActivityRow[]> {
  return (await activitiesQuery(db, dialect, q)?.execute()) ?? [];
}

/** The query `listActivities` runs (bench/indexed.mjs shows its plan); undefined when nothing can match. */
export function activitiesQuery(db: Tx, dialect: DialectName, q: ActivityQuery) {
  let query = db
    .selectFrom('activities as a')
    .select([
      'a.id',
      'a.workspace_id',
      'a.person_pid',
      'a.type',
      'a.name',
      'a.data',
      'a.source',
      'a.delivery_id',
      'a.delivery_type',
      'a.timestamp',
      'a.deleted',
      identifiersOfRow(dialect).as('customer_identifiers'),
    ])
    .where('a.deleted', '=', q.deleted ? 1 : 0);
  if (q.personPid !== undefined) {
    // One person's rows through `activities_person`: SQLite without statistics would otherwise walk
    // the workspace's index (`+` keeps it from using an index on workspace_id; docs/scaling.md).
    query = query
      .where(dialect === 'sqlite' ? sql`+a.workspace_id` : sql`a.workspace_id`, '=', q.workspaceId)
      .where('a.person_pid', '=', q.personPid);
  } else query = query.where('a.workspace_id', '=', q.workspaceId);
  if (q.identifier) {
    // Deleted people's rows all record their identifiers, and an email's key (`email_norm`,
    // lib/email.ts) so that a lookup is case-insensitive beyond ASCII on both engines alike.
    const { key, value } = q.identifier;
    const field = (name: string) =>
      dialect === 'postgres'
        ? sql<string>`a.customer_identifiers ->> ${name}`
        : sql<string>`json_extract(a.customer_identifiers, ${`$.${name}`})`;
    // Rows marked deleted some other way than markActivitiesDeleted: ASCII case folding, as before.
    const text =
      key === 'email' ? sql<string>`coalesce(${field('email_norm')}, lower(${field('email')}))` : field(key);
    query = query.where(text, '=', value);
  }
  if (q.type !== undefined) {
    const types = storedTypes(q.type);
    if (types.length === 0) return undefined;
    query = query.where('a.type', 'in', types);
  }
  if (q.name !== undefined) {
    const name = q.name;
    // attribute_change names only single-attribute writes; a multi-attribute write is found by
    // its data keys (activity.ts).
    query = query.where((eb) =>
      eb.or([
        eb('a.name', '=', name),
        eb.and([
          eb('a.type', 'in', ['attribute_change', CREATE_CHANGE]),
          jsonHasKey(dialect, sql`a.data`, name),
        ]),
      ]),
    );
  }
  if (q.beforeId !== undefined) query = query.where('a.id', '<', q.beforeId);
  return query.orderBy('a.id', 'desc').limit(q.limit);
}

/**
 * The activities a stored row stands for, oldest first: a new person's `create_change` row is their
 * `profile_create` (the row's id, data `{identifiers}`) and the identify's `attribute_change` (the
 * next id, data `{attr: {from: null, to}}`), as they were when stored as two rows; a profile_create
 * stored without data gets its `{identifiers}` back. Any other row is itself.
 */
export function storedActivities(row: ActivityRow): ActivityRow[] {
  const identifiers = parseJson<Record<string, unknown> | null>(row.customer_identifiers);
  const created = (r: ActivityRow): ActivityRow => ({
    ...r,
    type: 'profile_create',
    name: null,
    data: {
      identifiers: {
        id: identifiers?.id ?? null,
        email: identifiers?.email ?? null,
        cio_id: identifiers?.cio_id ?? '',
      },
    },
  });
  if (row.type === 'profile_create' && row.data === null) return [created(row)];
  if (row.type !== CREATE_CHANGE) return [row];
  const changes: Record<string, { from: null; to: unknown }> = {};
  for (const [attr, to] of Object.entries(parseJson<Record<string, unknown> | null>(row.data) ?? {}))
    changes[attr] = { from: null, to };
  return [created(row), { ...row, id: successorId(row.id), type: 'attribute_change', data: changes }];
}
