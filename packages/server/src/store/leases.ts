import type { Tx } from './store.js';

/**
 * Takes or renews the named lease for `holder` until `expiresAtMs`, when it is free, expired or
 * already ours. Returns whether we hold it. One statement, so two processes cannot both win.
 */
export async function acquireLease(
  db: Tx,
  name: string,
  holder: string,
  nowMs: number,
  expiresAtMs: number,
): Promise<boolean> {
  const r = await db
    .insertInto('leases')
    .values({ name, holder, expires_at_ms: expiresAtMs })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at_ms: expiresAtMs })
        .where((eb) => eb.or([eb('leases.expires_at_ms', '<', nowMs), eb('leases.holder', '=', holder)])),
    )
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function releaseLease(db: Tx, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}

export async function leaseHolder(
  db: Tx,
  name: string,
): Promise<{ holder: string; expiresAtMs: number } | undefined> {
  const row = await db
    .selectFrom('leases')
    .select(['holder', 'expires_at_ms'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row && { holder: row.holder, expiresAtMs: Number(row.expires_at_ms) };
}
