import { sql } from 'kysely';
import type { Tx } from './store.js';

/** Resolves when the database answers a trivial query (`GET /healthz`); rejects otherwise. */
export async function ping(db: Tx): Promise<void> {
  await sql`select 1`.execute(db);
}
