import type { ColumnType } from 'kysely';

/**
 * A JSON column: `jsonb` on PostgreSQL, `text` on SQLite. Written as JSON text (`toJson`); read back
 * as text on SQLite and parsed on PostgreSQL, so reads go through `parseJson`.
 */
export type Json = ColumnType<unknown, string, string>;
export type NullableJson = ColumnType<unknown | null, string | null, string | null>;
