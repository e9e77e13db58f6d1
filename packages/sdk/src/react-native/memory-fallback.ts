import type { StorageAdapter } from '../core/platform.js';

/** Used only when an app has no storage at all: the SDK still works, but the queue dies with the app. */
export class MemoryFallbackStorage implements StorageAdapter {
  private readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}
