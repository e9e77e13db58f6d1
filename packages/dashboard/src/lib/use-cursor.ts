import { useState } from 'preact/hooks';

/** Cursor pagination over `start`/`next`: remembers earlier cursors so Previous works; a new `resetKey` starts over. */
export function useCursor(resetKey: string): Cursor {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key: resetKey, stack: [''] });
  const stack = state.key === resetKey ? state.stack : [''];
  const start = stack[stack.length - 1] ?? '';
  return {
    start,
    page: stack.length,
    hasPrev: stack.length > 1,
    next: (cursor: string) => setState({ key: resetKey, stack: [...stack, cursor] }),
    prev: () => setState({ key: resetKey, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
  };
}

export interface Cursor {
  /** The cursor of the page shown ('' for the first). */
  start: string;
  /** Its number, from 1. */
  page: number;
  hasPrev: boolean;
  next: (cursor: string) => void;
  prev: () => void;
}
