/**
 * Where the App API key is kept in this browser: for this tab only (sessionStorage), or on this
 * device (localStorage) when the user ticked "Remember on this device" — never both at once.
 * A 401 clears it from both (`client.ts`), so a rotated key signs every tab out.
 */
const KEY = 'roster.appApiKey';

function storage(kind: 'session' | 'local'): Storage | null {
  try {
    return kind === 'session' ? window.sessionStorage : window.localStorage;
  } catch {
    return null; // storage disabled: the key lasts as long as the page
  }
}

let memory: string | null = null;

export const session = {
  /** The key this tab signs in with: the tab's own first, then the device's. */
  get key(): string | null {
    return storage('session')?.getItem(KEY) ?? storage('local')?.getItem(KEY) ?? memory;
  },

  /** Whether the key is remembered on this device (localStorage). */
  get remembered(): boolean {
    return !!storage('local')?.getItem(KEY);
  },

  /** Keeps `key` for this tab, or on this device when `remember`; the other place is cleared. */
  set(key: string, remember: boolean): void {
    this.clear();
    const target = storage(remember ? 'local' : 'session');
    if (target) target.setItem(KEY, key);
    else memory = key;
  },

  /** A new key (after rotating keys here) kept wherever the old one was. */
  replace(key: string): void {
    this.set(key, this.remembered);
  },

  clear(): void {
    memory = null;
    storage('session')?.removeItem(KEY);
    storage('local')?.removeItem(KEY);
  },

  /**
   * Calls `onChange` when another tab changes the key on this device (signs out, signs in,
   * rotates): the `storage` event fires in every other tab of the origin.
   */
  watch(onChange: () => void): () => void {
    const listener = (e: StorageEvent) => {
      if (e.key === KEY || e.key === null) onChange();
    };
    window.addEventListener('storage', listener);
    return () => window.removeEventListener('storage', listener);
  },
};
