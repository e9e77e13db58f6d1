import { sql } from 'kysely';
import type { Tx } from './store.js';

/**
 * Runs `fn` inside a savepoint of the caller's transaction: if it throws an error `keep` accepts,
 * what it wrote is rolled back (the rest of the transaction stays) and the error is returned;
 * any other error propagates, leaving the transaction to the caller.
 */
export async function inSavepoint<E extends Error>(
  trx: Tx,
  fn: () => Promise<void>,
  keep: (err: unknown) => err is E,
): Promise<E | undefined> {
  await sql`savepoint roster_item`.execute(trx);
  try {
    await fn();
    await sql`release savepoint roster_item`.execute(trx);
    return undefined;
  } catch (err) {
    if (!keep(err)) throw err;
    await sql`rollback to savepoint roster_item`.execute(trx);
    await sql`release savepoint roster_item`.execute(trx);
    return err;
  }
}
