import type { StorageAdapter } from '../core/platform.js';

/**
 * `window.localStorage` (one key per site id; `setItem` replaces a value atomically). Falls back to
 * memory when storage is unavailable (Safari private mode, disabled cookies) so tracking still
 * works for the page's lifetime.
 */
export function createLocalStorage(): StorageAdapter {
  try {
    const ls = globalThis.localStorage;
    const probe = '__roster_probe__';
    ls.setItem(probe, '1');
    ls.removeItem(probe);
    return {
      getItem: (k) => ls.getItem(k),
      setItem: (k, v) => ls.setItem(k, v),
      removeItem: (k) => ls.removeItem(k),
    };
  } catch {
    const mem = new Map<string, string>();
    return {
      getItem: (k) => mem.get(k) ?? null,
      setItem: (k, v) => void mem.set(k, v),
      removeItem: (k) => void mem.delete(k),
    };
  }
}
