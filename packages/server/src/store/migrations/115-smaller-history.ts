import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { emailKey } from '../../lib/email.js';
import { jsonHasKey } from '../filter/json-sql.js';
import { parseJson, toJson } from '../store.js';

/**
 * Smaller history rows (store/activities/activities.ts, docs/scaling.md "History rows"): existing history moves, in
 * place, to what new writes store, and every App API answer about it stays the same.
 *
 * 1. `activities_person_identifiers`, a partial index on `(person_pid, id)` of the rows that record
 *    identifiers: a row that leaves them out is read with the nearest earlier such row of its person
 *    (one probe).
 * 2. The live rows of identifies and events (`attribute_change` without an identifier change,
 *    `event`, `page`, `screen`) whose identifiers repeat that row's drop them (NULL).
 * 3. A `profile_create` whose data is `{identifiers}` equal to its row's drops the data (NULL).
 * 4. Deleted people's rows record their email's key (`email_norm`), which the `deleted=true` lookup
 *    by email compares (case-insensitive beyond ASCII, the same on both engines).
 *
 * Activity ids do not change: existing profile_create + attribute_change pairs stay two rows (only
 * new people get the one `create_change` row), so page tokens held across the upgrade stay valid.
 * Runs at start-up before the server answers, in the migrations' one transaction (docs/operations.md
 * "Upgrading": about 3 s per million history rows on SQLite on the 2-core test machine).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await sql`create index if not exists activities_person_identifiers on activities (person_pid, id)
    where customer_identifiers is not null`.execute(db);

  const noIdentifierChange = sql`not (${jsonHasKey(dialect, sql`a.data`, 'id')} or ${jsonHasKey(dialect, sql`a.data`, 'email')} or ${jsonHasKey(dialect, sql`a.data`, 'cio_id')})`;
  await sql`update activities as a set customer_identifiers = null
    where a.deleted = 0 and a.person_pid is not null and a.customer_identifiers is not null
      and a.type in ('event', 'page', 'screen', 'attribute_change')
      and (a.type <> 'attribute_change' or (a.data is not null and ${noIdentifierChange}))
      and a.customer_identifiers = (select b.customer_identifiers from activities b
        where b.person_pid = a.person_pid and b.id < a.id and b.customer_identifiers is not null
        order by b.id desc limit 1)`.execute(db);

  const created =
    dialect === 'postgres'
      ? sql`jsonb_build_object('identifiers', customer_identifiers)`
      : sql`json_object('identifiers', json(customer_identifiers))`;
  await sql`update activities set data = null
    where type = 'profile_create' and customer_identifiers is not null and data = ${created}`.execute(db);

  // Deleted people's identifiers, person by person (keyset pages, bounded memory).
  const email =
    dialect === 'postgres'
      ? sql`customer_identifiers ->> 'email'`
      : sql`json_extract(customer_identifiers, '$.email')`;
  let after = -1;
  for (;;) {
    const pids = await sql<{ person_pid: number }>`select distinct person_pid from activities
      where deleted = 1 and person_pid > ${after} order by person_pid limit 500`.execute(db);
    const last = pids.rows[pids.rows.length - 1];
    if (!last) break;
    const from = after;
    after = Number(last.person_pid);
    const page = await sql<{ person_pid: number; customer_identifiers: unknown }>`
      select distinct person_pid, customer_identifiers from activities
      where deleted = 1 and person_pid > ${from} and person_pid <= ${after} and ${email} is not null`.execute(
      db,
    );
    for (const r of page.rows) {
      const ids = parseJson<Record<string, unknown> | null>(r.customer_identifiers);
      if (!ids || typeof ids.email !== 'string') continue;
      const stored = typeof r.customer_identifiers === 'string' ? r.customer_identifiers : toJson(ids);
      await sql`update activities set customer_identifiers = ${toJson({ ...ids, email_norm: emailKey(ids.email) })}
        where person_pid = ${r.person_pid} and customer_identifiers = ${stored}`.execute(db);
    }
  }
}
