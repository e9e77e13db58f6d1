import { openStore, type StoreConfig } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';

/** 128 MiB of SQLite page cache: an import touches the people indexes far more than a server does. */
const IMPORT_CACHE_KIB = 131_072;

/**
 * The store `roster import` writes through: the same engines, pragmas and transaction semantics
 * as `roster serve` (so it can share a SQLite file with a running server), with a larger page cache
 * and its statement journals in memory (bounded by one batch's statements).
 */
export async function openImportStore(config: StoreConfig): Promise<Store> {
  return openStore({ ...config, sqliteCacheSizeKib: IMPORT_CACHE_KIB, sqliteMemoryTempStore: true });
}
