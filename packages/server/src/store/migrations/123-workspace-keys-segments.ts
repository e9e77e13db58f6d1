import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { widenPrimaryKey } from './workspace-keys.js';

/**
 * Segments, campaigns and objects keyed by workspace (docs/scaling.md "Past one database").
 *
 * Both engines: `segment_size_log` and `campaign_sends` get the `workspace_id` column they lacked,
 * filled from their segment and campaign (one pass over each table).
 *
 * PostgreSQL: the primary keys of `segments`, `campaigns`, `objects` become `(id, workspace_id)`
 * and the foreign keys that point at them `(…_id, workspace_id)`; `segment_memberships`,
 * `relationships` and `campaign_sends` get `workspace_id` appended to theirs. Each key is rebuilt
 * once, each foreign key checked once against its rows: about 2.5 s per million rows of each table
 * (2-core machine at load average 20); reads and writes of these tables wait until it commits.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  for (const [table, parent, fk] of [
    ['segment_size_log', 'segments', 'segment_id'],
    ['campaign_sends', 'campaigns', 'campaign_id'],
  ] as const) {
    await sql.raw(`alter table ${table} add column workspace_id ${pg ? 'bigint' : 'integer'}`).execute(db);
    await sql
      .raw(
        `update ${table} set workspace_id = (select p.workspace_id from ${parent} as p where p.id = ${table}.${fk})`,
      )
      .execute(db);
    if (pg) await sql.raw(`alter table ${table} alter column workspace_id set not null`).execute(db);
  }
  if (!pg) return;
  await widenPrimaryKey(db, 'segments', ['id', 'workspace_id']);
  await widenPrimaryKey(db, 'campaigns', ['id', 'workspace_id']);
  await widenPrimaryKey(db, 'objects', ['oid', 'workspace_id']);
  await widenPrimaryKey(db, 'segment_memberships', ['segment_id', 'person_pid', 'workspace_id']);
  await widenPrimaryKey(db, 'relationships', ['person_pid', 'object_oid', 'workspace_id']);
  await widenPrimaryKey(db, 'campaign_sends', ['campaign_id', 'trigger_key', 'workspace_id']);
}
