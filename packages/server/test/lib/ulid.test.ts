import { describe, expect, it } from 'vitest';
import { ulid } from '../../src/lib/ulid.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('ulid', () => {
  it('makes valid ULIDs that encode the time', () => {
    const id = ulid(1_700_000_000_000);
    expect(id).toMatch(ULID);
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const time = [...id.slice(0, 10)].reduce((n, c) => n * 32 + alphabet.indexOf(c), 0);
    expect(time).toBe(1_700_000_000_000);
  });

  it('sorts in creation order within one millisecond and across many', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => ulid(1_800_000_000_000 + Math.floor(i / 1000)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays monotonic when the clock goes backwards', () => {
    const a = ulid(1_900_000_000_100);
    const b = ulid(1_900_000_000_000);
    expect(b > a).toBe(true);
  });
});
