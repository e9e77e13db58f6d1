import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * `n` cryptographically random bytes (n ≤ 64) from a pool refilled 4 KiB at a time: one system
 * call per few hundred ids instead of one per id (`randomBytes` per cio_id and ULID showed up at
 * ~6% of a batch identify's CPU). The view is only valid until the next call; copy to keep it.
 */
export function pooledRandomBytes(n: number): Buffer {
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}
