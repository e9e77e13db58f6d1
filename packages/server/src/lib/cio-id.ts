import { pooledRandomBytes } from './random.js';

let lastSecond = -1;
let low = 0;

/**
 * A new person's cio_id: 16 lower-case hex characters, like Customer.io's (docs/track-api.md §3).
 *
 * The first 8 are the creation second and the last 8 count up from a random start within that
 * second, so the people a batch creates sit side by side in the `people_ws_cio` index. Fully random
 * ids put every new person on a different index page: each commit of an import then wrote about one
 * extra 4 KiB page per person, a fifth of an import's time at 200,000 rows and more as the table
 * grows. Ids can meet by chance — two processes writing in the same second, or one process whose
 * writes' seconds arrive out of order (a clock stepping back, concurrent PostgreSQL writes) — and
 * then the insert takes the next id after a fresh random start (`reseedCioIds`).
 * Like Customer.io's own, they tell roughly when a person was created; they were never secrets.
 */
export function newCioId(nowSeconds: number): string {
  const second = Math.max(0, Math.min(0xffffffff, Math.floor(nowSeconds)));
  if (second !== lastSecond || low >= 0xffffffff) {
    lastSecond = second;
    // The lower half, so the count has at least 2^31 ids of room in this second.
    low = pooledRandomBytes(4).readUInt32BE(0) >>> 1;
  } else {
    low++;
  }
  return second.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

/** After an id was found taken (another process): the next id starts from a fresh random point. */
export function reseedCioIds(): void {
  lastSecond = -1;
}
