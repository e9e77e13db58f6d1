import type pg from 'pg';

/**
 * What `HeldWrites` (held-writes.ts) must know about the schema to merge held writes safely: each
 * table's column types, the columns of its unique indexes, its primary key, and which tables it
 * references by a foreign key. Read from PostgreSQL's catalog once per store (one query), and read
 * again when a write names a table it does not know (a migration ran after it was read): until
 * then that table's writes are sent as they are, never merged or moved.
 */
export interface TableInfo {
  /** Column name → its type as `format_type` spells it (`jsonb`, `bigint`, `text`, …). */
  types: Map<string, string>;
  /** Columns in some unique index or unique constraint (the primary key's included). */
  unique: Set<string>;
  /** The primary key's columns (in no particular order), when the table has one. */
  primaryKey: string[] | undefined;
  /** Tables this one references (its foreign keys point at them). */
  references: Set<string>;
  /** Whether a trigger of its own runs per row (its writes are then never merged or moved). */
  rowTriggers: boolean;
}

const CATALOG_SQL = `
select c.relname as table_name,
       coalesce((select json_object_agg(a.attname, format_type(a.atttypid, a.atttypmod))
                 from pg_attribute a
                 where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '{}') as types,
       coalesce((select json_agg(distinct a.attname)
                 from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
                 where i.indrelid = c.oid and i.indisunique), '[]') as unique_columns,
       (select json_agg(a.attname)
        from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
        where i.indrelid = c.oid and i.indisprimary) as primary_key,
       coalesce((select json_agg(distinct r.relname)
                 from pg_constraint f join pg_class r on r.oid = f.confrelid
                 where f.conrelid = c.oid and f.contype = 'f'), '[]') as refs,
       exists (select 1 from pg_trigger t
               where t.tgrelid = c.oid and not t.tgisinternal and (t.tgtype & 1) = 1) as row_triggers
from pg_class c
where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and not c.relispartition`;

interface CatalogRow {
  table_name: string;
  types: Record<string, string>;
  unique_columns: string[];
  primary_key: string[] | null;
  refs: string[];
  row_triggers: boolean;
}

export class TableCatalog {
  private tables = new Map<string, TableInfo>();
  private stale = true;
  private loading: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  /** The table, or undefined when it is not known (yet): marks the catalog for a new read. */
  get(table: string): TableInfo | undefined {
    const info = this.tables.get(table);
    if (!info) this.stale = true;
    return info;
  }

  /** Reads the catalog if it was never read or a write named an unknown table since. */
  async fresh(): Promise<void> {
    if (!this.stale) return;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    await this.loading;
  }

  private async load(): Promise<void> {
    this.stale = false;
    try {
      // A pooled client's promise API (the store wraps `client.query`; `pool.query` passes a callback).
      const client = await this.pool.connect();
      let rows: CatalogRow[];
      try {
        rows = (await client.query<CatalogRow>(CATALOG_SQL)).rows;
      } finally {
        client.release();
      }
      const tables = new Map<string, TableInfo>();
      for (const r of rows)
        tables.set(r.table_name, {
          types: new Map(Object.entries(r.types)),
          unique: new Set(r.unique_columns),
          primaryKey: r.primary_key ?? undefined,
          references: new Set(r.refs),
          rowTriggers: r.row_triggers,
        });
      this.tables = tables;
    } catch {
      // Nothing known: writes go unmerged, as before, and the next transaction tries again.
      this.stale = true;
    }
  }
}
