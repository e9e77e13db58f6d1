import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimPendingSends,
  finishPendingSend,
  insertPendingSend,
} from '../../packages/server/src/store/campaigns/pending-sends.js';
import { migrate } from '../../packages/server/src/store/migrate.js';
import { migrations } from '../../packages/server/src/store/migrations/index.js';
import { openPostgresStore } from '../../packages/server/src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/postgres.js';

/**
 * Migration 126 keys `campaign_pending_sends` by `(id, workspace_id)` (docs/scaling.md "Past one
 * database"), in place: a database migrated up to 125 with sends still waiting keeps every one of
 * them, and the send runner's claim and finish work on them afterwards, on both engines.
 */
describe.each(engines())('migration 126 on %s keeps the pending sends', (engine) => {
  let dir: string;
  let database: TestDatabase | undefined;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-keys-126-'));
    if (engine === 'postgres') database = await createTestDatabase('keys126');
    store = database
      ? openPostgresStore({ connectionString: database.url })
      : openSqliteStore({ dataDir: dir });
    await migrate(
      store,
      migrations.filter((m) => m.version < 126),
    );
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every waiting send and claims and finishes them by their new key', async () => {
    const now = 1_700_000_000;
    const ws: number[] = [];
    const campaigns: number[] = [];
    await store.transaction(async (trx) => {
      for (const name of ['one', 'two']) {
        const w = await sql<{ id: number }>`insert into workspaces
            (site_id, name, track_key_hash, app_key_hash, identifier_mode, settings, created_at, updated_at)
          values (${`site-${name}`}, ${name}, ${`t-${name}`}, ${`a-${name}`}, 'id', '{}', ${now}, ${now})
          returning id`.execute(trx);
        const wsId = Number(w.rows[0]!.id);
        ws.push(wsId);
        const c = await sql<{ id: number }>`insert into campaigns
            (workspace_id, name, type, delay_seconds, active, created_at, updated_at)
          values (${wsId}, 'Thanks', 'triggered', 0, 1, ${now}, ${now}) returning id`.execute(trx);
        campaigns.push(Number(c.rows[0]!.id));
      }
      for (let i = 0; i < 6; i++)
        await insertPendingSend(
          trx,
          {
            workspaceId: ws[i % 2]!,
            campaignId: campaigns[i % 2]!,
            personPid: 100 + i,
            triggerKey: `k${i}`,
            data: '{}',
            sendAtMs: now * 1000,
          },
          now,
        );
    });
    const before = await store.db.selectFrom('campaign_pending_sends').selectAll().orderBy('id').execute();
    expect(before).toHaveLength(6);

    expect(await migrate(store)).toEqual(migrations.filter((m) => m.version >= 126).map((m) => m.version));
    const after = await store.db.selectFrom('campaign_pending_sends').selectAll().orderBy('id').execute();
    expect(after).toEqual(before);
    if (engine === 'postgres') {
      const key = await sql<{ def: string }>`select pg_get_constraintdef(oid) as def from pg_constraint
        where conrelid = 'campaign_pending_sends'::regclass and contype = 'p'`.execute(store.db);
      expect(key.rows.map((r) => r.def)).toEqual(['PRIMARY KEY (id, workspace_id)']);
    }

    const claimed = await store.transaction((trx) =>
      claimPendingSends(trx, store.dialect, 'test-claim', now * 1000, now * 1000 + 60_000, 4),
    );
    expect(claimed.map((r) => Number(r.id))).toEqual(before.slice(0, 4).map((r) => Number(r.id)));
    expect(claimed.map((r) => Number(r.attempts))).toEqual([1, 1, 1, 1]);
    // A finish names the row's workspace: the same id under another workspace is not this row.
    const first = claimed[0]!;
    const other = ws.find((w) => w !== Number(first.workspace_id))!;
    expect(
      await store.transaction((trx) =>
        finishPendingSend(trx, { id: Number(first.id), workspace_id: other }, 'test-claim'),
      ),
    ).toBe(false);
    for (const row of claimed)
      expect(await store.transaction((trx) => finishPendingSend(trx, row, 'test-claim'))).toBe(true);
    const left = await store.db.selectFrom('campaign_pending_sends').select('id').orderBy('id').execute();
    expect(left.map((r) => Number(r.id))).toEqual(before.slice(4).map((r) => Number(r.id)));
  });
});
