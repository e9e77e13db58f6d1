/**
 * A value as the SQL literal PostgreSQL would read for it as a text parameter of unspecified type:
 * a quoted literal is, like such a parameter, of type `unknown` until its context types it, so a
 * statement means the same with its parameters inlined. Undefined when the value cannot be
 * inlined (a string with NUL, which no literal can hold): the caller then runs it with parameters.
 */
export function literal(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'NULL';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    text = String(value);
  else if (Buffer.isBuffer(value)) text = `\\x${value.toString('hex')}`;
  else if (value instanceof Date) text = value.toISOString();
  else if (Array.isArray(value)) {
    const items = value.map(arrayItem);
    if (items.some((i) => i === undefined)) return undefined;
    text = `{${items.join(',')}}`;
  } else text = JSON.stringify(value);
  if (text.includes('\u0000')) return undefined;
  return quote(text);
}

const QUOTE = /'/g;
const BACKSLASH = /\\/g;

/**
 * `pg.escapeLiteral`'s result, built with two native replaces instead of its loop appending one
 * character at a time (which was a tenth of a v2 batch's CPU on the long JSON values it quotes).
 */
export function quote(text: string): string {
  const quoted = text.includes("'") ? text.replace(QUOTE, "''") : text;
  return text.includes('\\') ? ` E'${quoted.replace(BACKSLASH, '\\\\')}'` : `'${quoted}'`;
}

/** One element of a PostgreSQL array literal (text form; pg's own `arrayString` rules). */
function arrayItem(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) {
    const items = value.map(arrayItem);
    return items.some((i) => i === undefined) ? undefined : `{${items.join(',')}}`;
  }
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value as string | number);
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A `$n` placeholder, or what may hold text that merely looks like one and is kept as it is: a
 * quoted string (standard or `E''`: `quote` and Kysely double every quote inside), a quoted
 * identifier, a comment. Compiled filters carry some values as literals (an indexed attribute's
 * key, `sqlString`, so the SQL matches its index's expression), and such a key may contain `$1`.
 */
const PLACEHOLDER = /'[^']*(?:''[^']*)*'|"[^"]*(?:""[^"]*)*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$(\d+)/g;

/**
 * `sql` with its `$n` placeholders replaced by literals of `params`, so it can travel with other
 * statements in one simple-protocol query (one round trip). Undefined when a value cannot be
 * inlined. The texts given here are Roster's own (store/sql.ts statements and Kysely's compiled
 * queries), which carry values as parameters or as literals `PLACEHOLDER` skips.
 */
export function inlineSql(sql: string, params: readonly unknown[]): string | undefined {
  if (params.length === 0) return sql;
  const literals: string[] = [];
  for (const p of params) {
    const l = literal(p);
    if (l === undefined) return undefined;
    literals.push(l);
  }
  return sql.replace(PLACEHOLDER, (m, n: string | undefined) =>
    n === undefined ? m : (literals[Number(n) - 1] ?? m),
  );
}
