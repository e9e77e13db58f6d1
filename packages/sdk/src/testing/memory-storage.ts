import type { StorageAdapter } from '../core/platform.js';
import { parseState, type PersistedState } from '../core/state.js';

/**
 * In-memory storage; share one instance between two clients to simulate a restart. Async like
 * AsyncStorage so tests exercise the same interleavings as real adapters.
 * @example
 * const storage = new MemoryStorage();
 * const doc = storage.read('roster:site'); // the decoded stored document
 */
export class MemoryStorage implements StorageAdapter {
  readonly data = new Map<string, string>();
  /** When set, `setItem` rejects with this error (disk full, quota exceeded). */
  failWrites: Error | null = null;
  writes = 0;

  async getItem(key: string): Promise<string | null> {
    return this.data.get(key) ?? null;
  }

  async setItem(key: string, value: string): Promise<void> {
    if (this.failWrites) throw this.failWrites;
    this.writes++;
    this.data.set(key, value);
  }

  async removeItem(key: string): Promise<void> {
    this.data.delete(key);
  }

  /** The SDK's stored document under `key`, decoded (identity, delivery state and queued ops). */
  read(key: string): PersistedState | undefined {
    return parseState(this.data.get(key));
  }
}
