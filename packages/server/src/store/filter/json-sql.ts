import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Reading inside JSON columns, per dialect. Values come back as the text the App API shows
 * (docs/app-api.md "Conventions"): strings as-is, numbers as decimal text, booleans "true"/"false",
 * objects and arrays as JSON text; a missing key or a JSON null is SQL NULL.
 */

/** SQLite JSON path `$."a"."b"`, quoting every key so dots and spaces in names are data. */
export function sqlitePath(path: readonly string[]): string {
  return '$' + path.map((k) => `."${k.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join('');
}

/** The value at `path` in `column`, as text (NULL when absent or JSON null). */
export function jsonText(dialect: DialectName, column: RawBuilder<unknown>, path: readonly string[]) {
  if (dialect === 'postgres') return sql<string | null>`(${column} #>> ${[...path]}::text[])`;
  const p = sqlitePath(path);
  // json_extract turns JSON true/false into 1/0; json_type tells them apart from numbers.
  return sql<
    string | null
  >`(case json_type(${column}, ${p}) when 'true' then 'true' when 'false' then 'false' when 'null' then null else cast(json_extract(${column}, ${p}) as text) end)`;
}

/** True when `path` exists in `column` with a non-null value. Never SQL NULL. */
export function jsonHas(dialect: DialectName, column: RawBuilder<unknown>, path: readonly string[]) {
  if (dialect === 'postgres')
    return sql<boolean>`(coalesce(jsonb_typeof(${column} #> ${[...path]}::text[]), 'null') <> 'null')`;
  return sql<boolean>`(coalesce(json_type(${column}, ${sqlitePath(path)}), 'null') <> 'null')`;
}

/** True when the object in `column` has the top-level key `key` (any value, even null). */
export function jsonHasKey(dialect: DialectName, column: RawBuilder<unknown>, key: string) {
  if (dialect === 'postgres') return sql<boolean>`((${column} -> ${key}) is not null)`;
  return sql<boolean>`(json_type(${column}, ${sqlitePath([key])}) is not null)`;
}
