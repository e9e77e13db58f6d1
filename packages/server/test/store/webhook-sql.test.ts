import { describe, expect, it } from 'vitest';
import { padToPowerOfTwo, powerOfTwoChunks } from '../../src/store/webhooks/webhook-sql.js';

describe('webhook statements by shape', () => {
  it('splits rows into power-of-two chunks, largest first, losing and repeating none', () => {
    const rows = Array.from({ length: 300 }, (_, i) => i);
    const chunks = powerOfTwoChunks(rows);
    expect(chunks.map((c) => c.length)).toEqual([256, 32, 8, 4]);
    expect(chunks.flat()).toEqual(rows);
    expect(powerOfTwoChunks([])).toEqual([]);
    expect(powerOfTwoChunks([1, 2, 3], 2).map((c) => c.length)).toEqual([2, 1]);
  });

  it('pads an in-list to a power of two with its first value', () => {
    expect(padToPowerOfTwo([7])).toEqual([7]);
    expect(padToPowerOfTwo([7, 8, 9])).toEqual([7, 8, 9, 7]);
    expect(padToPowerOfTwo([1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
  });
});
