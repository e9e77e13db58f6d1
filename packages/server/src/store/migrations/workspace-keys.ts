import { sql, type Kysely } from 'kysely';

/**
 * PostgreSQL helpers of the migrations that make keys carry `workspace_id` (docs/scaling.md "Past
 * one database"). A surrogate id stays globally unique and first in its key, so lookups by it alone
 * keep their index; `workspace_id` is appended, which is what a database sharded by workspace
 * (Citus) needs of a primary key, a unique index and a foreign key between sharded tables.
 */

/**
 * Replaces `table`'s primary key by one on `columns`, and every single-column foreign key that
 * pointed at the old key by one on `(column, workspace_id)` (same name, same ON DELETE). Each
 * foreign key is checked again against the rows (a join of the two tables).
 */
export async function widenPrimaryKey(db: Kysely<unknown>, table: string, columns: string[]): Promise<void> {
  const pk = await sql<{ name: string }>`select conname as name from pg_constraint
    where conrelid = ${table}::regclass and contype = 'p'`.execute(db);
  const fks = await sql<{ name: string; child: string; col: string; del: string }>`
    select c.conname as name, c.conrelid::regclass::text as child, a.attname as col, c.confdeltype as del
    from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.confrelid = ${table}::regclass and c.contype = 'f' and c.conparentid = 0
      and array_length(c.conkey, 1) = 1
    order by 1`.execute(db);
  const drop = pk.rows[0] ? `drop constraint ${pk.rows[0].name} cascade, ` : '';
  await sql
    .raw(`alter table ${table} ${drop}add constraint ${table}_pkey primary key (${columns.join(', ')})`)
    .execute(db);
  const key = columns.filter((c) => c !== 'workspace_id');
  if (key.length !== 1) return;
  for (const fk of fks.rows)
    await sql
      .raw(
        `alter table ${fk.child} add constraint ${fk.name} foreign key (${fk.col}, workspace_id)
         references ${table} (${key[0]}, workspace_id) on delete ${ON_DELETE[fk.del] ?? 'no action'}`,
      )
      .execute(db);
}

const ON_DELETE: Record<string, string> = { c: 'cascade', n: 'set null', r: 'restrict', a: 'no action' };
