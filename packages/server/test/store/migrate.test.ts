import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import type { Migration } from '../../src/store/migrations/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/** The migration runner itself, with migrations of the test's own (upgrade.e2e runs the real ones). */
describe('migrate', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const open = (): Store => {
    const dir = mkdtempSync(path.join(tmpdir(), 'roster-migrate-'));
    const store = openSqliteStore({ dataDir: dir });
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanup.push(() => store.close());
    return store;
  };
  const table = (version: number, name: string): Migration => ({
    version,
    name,
    up: async (db: Kysely<unknown>) => {
      await db.schema.createTable(name).addColumn('id', 'integer').execute();
    },
  });
  const logged = () => {
    const lines: string[] = [];
    return { lines, log: { info: (_obj: object, msg: string) => void lines.push(msg) } };
  };

  it('applies pending migrations once, saying what and how long, and nothing when up to date', async () => {
    const store = open();
    const first = logged();
    expect(await migrate(store, [table(1, 'one'), table(2, 'two')], first.log)).toEqual([1, 2]);
    expect(first.lines).toEqual([
      'migrations: applying 2 in one transaction (writes wait until it commits)',
      expect.stringMatching(/^migration 1 one applied in \d+ ms$/),
      expect.stringMatching(/^migration 2 two applied in \d+ ms$/),
      expect.stringMatching(/^migrations: 2 applied and committed in \d+ ms$/),
    ]);
    const again = logged();
    expect(await migrate(store, [table(1, 'one'), table(2, 'two'), table(3, 'three')], again.log)).toEqual([
      3,
    ]);
    expect(again.lines[0]).toBe('migrations: applying 1 in one transaction (writes wait until it commits)');
    const none = logged();
    expect(await migrate(store, [table(1, 'one'), table(2, 'two'), table(3, 'three')], none.log)).toEqual([]);
    expect(none.lines).toEqual([]);
  });

  it('applies all or nothing: a failing migration leaves the database as it was', async () => {
    const store = open();
    await migrate(store, [table(1, 'one')]);
    const broken: Migration = {
      version: 3,
      name: 'broken',
      up: async () => {
        throw new Error('broken migration');
      },
    };
    await expect(migrate(store, [table(1, 'one'), table(2, 'two'), broken])).rejects.toThrow(
      'broken migration',
    );
    const versions = await store.db.selectFrom('roster_migrations').select('version').execute();
    expect(versions.map((r) => r.version)).toEqual([1]);
    await expect(
      store.db
        .selectFrom('two' as never)
        .selectAll()
        .execute(),
    ).rejects.toThrow(/no such table/);
  });

  it('refuses a database that a newer release has migrated', async () => {
    const store = open();
    await migrate(store, [table(1, 'one'), table(2, 'two')]);
    await expect(migrate(store, [table(1, 'one')])).rejects.toThrow(
      /migrations this release of Roster does not know \(2\).*restore the backup/,
    );
  });
});
