import { sql, type ColumnDataType, type Expression } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Column types that differ between SQLite and PostgreSQL, named once for every migration. */
export function columnTypes(dialect: DialectName): {
  json: ColumnDataType | Expression<unknown>;
  bigint: ColumnDataType;
  serial: ColumnDataType;
} {
  if (dialect === 'postgres') return { json: sql`jsonb`, bigint: 'bigint', serial: 'bigserial' };
  // SQLite: INTEGER PRIMARY KEY is the rowid alias; AUTOINCREMENT keeps ids from being reused.
  return { json: 'text', bigint: 'integer', serial: 'integer' };
}
