import { migrate } from './migrate.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export interface StoreConfig {
  /** When set, PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  sqliteSynchronous?: 'normal' | 'full';
  sqliteCacheSizeKib?: number;
}

/** Opens the configured engine and brings its schema up to date. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const store = config.databaseUrl
    ? openPostgresStore({ connectionString: config.databaseUrl })
    : openSqliteStore({
        dataDir: config.dataDir,
        synchronous: config.sqliteSynchronous ?? 'normal',
        cacheSizeKib: config.sqliteCacheSizeKib,
      });
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
