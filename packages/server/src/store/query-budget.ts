import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from './dialect.js';

/** `boundedRead`'s default budget when the operator sets none (ROSTER_QUERY_TIMEOUT_MS). */
export const DEFAULT_QUERY_BUDGET_MS = 10_000;

/**
 * A term for the WHERE clause of a statement run by `Store.boundedRead`, placed before the costly
 * predicate so it is evaluated for every row considered. SQLite: `roster_budget()`, a function
 * that throws once the read's deadline has passed (statements on the server's own connection
 * never have one); PostgreSQL: nothing (its `statement_timeout` does the same).
 */
export function budgetCheck(dialect: DialectName): RawBuilder<boolean> {
  return dialect === 'sqlite' ? sql<boolean>`(roster_budget() = 1)` : sql<boolean>`(1 = 1)`;
}
