import { sql, type Selectable } from 'kysely';
import type { ActivitiesTable } from '../schema/index.js';
import type { DialectName } from '../dialect.js';
import type { Tx } from '../store.js';
import { jsonHasKey } from '../filter/json-sql.js';

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

/** Activities newest first (`id desc`: ids are ULIDs), one page. */
export async function listActivities(db: Tx, dialect: DialectName, q: ActivityQuery): Promise<ActivityRow[]> {
  let query = db
    .selectFrom('activities')
    .selectAll()
    .where('workspace_id', '=', q.workspaceId)
    .where('deleted', '=', q.deleted ? 1 : 0);
  if (q.personPid !== undefined) query = query.where('person_pid', '=', q.personPid);
  if (q.identifier) {
    const { key, value } = q.identifier;
    const text =
      dialect === 'postgres'
        ? sql<string>`customer_identifiers ->> ${key}`
        : sql<string>`json_extract(customer_identifiers, ${`$.${key}`})`;
    query = query.where(key === 'email' ? sql`lower(${text})` : text, '=', value);
  }
  if (q.type !== undefined) query = query.where('type', '=', q.type);
  if (q.name !== undefined) {
    const name = q.name;
    // attribute_change names only single-attribute writes; a multi-attribute write is found by
    // its data keys (activity.ts).
    query = query.where((eb) =>
      eb.or([
        eb('name', '=', name),
        eb.and([eb('type', '=', 'attribute_change'), jsonHasKey(dialect, sql`data`, name)]),
      ]),
    );
  }
  if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}
