/**
 * ULIDs (26 chars, Crockford base32: 48-bit ms time + 80 random bits) for event `id`s, so the server
 * can de-duplicate a retried batch (docs/track-api.md §6). Monotonic: within one millisecond (or if
 * the clock goes backwards) the random part is incremented, so ids sort in call order.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Fills a byte array with random values (`crypto.getRandomValues` shaped). */
export type RandomSource = (bytes: Uint8Array) => void;

/** `globalThis.crypto.getRandomValues` when present (Node 20, browsers, RN with a polyfill). */
export function defaultRandomSource(): RandomSource | undefined {
  const c = (globalThis as { crypto?: { getRandomValues?: (b: Uint8Array) => Uint8Array } }).crypto;
  const get = c?.getRandomValues;
  return get ? (bytes) => void get.call(c, bytes) : undefined;
}

/**
 * Returns a monotonic ULID generator.
 * @example
 * const next = createUlid(() => Date.now(), defaultRandomSource()!);
 * next(); // '01J9Z3…' (26 chars)
 */
export function createUlid(now: () => number, random: RandomSource): () => string {
  let lastTime = -1;
  // 80 random bits as 16 base32 digits (5 bits each), incremented for monotonicity.
  let digits: number[] = [];
  return () => {
    let time = Math.floor(now());
    if (time <= lastTime) {
      time = lastTime;
      increment(digits);
    } else {
      lastTime = time;
      const bytes = new Uint8Array(16);
      random(bytes);
      digits = Array.from(bytes, (b) => b & 31);
      // Top bit of the random part cleared: 2^79 increments of headroom within one ms, so the
      // counter can never wrap around and break the sort order.
      digits[0] = (digits[0] ?? 0) & 15;
    }
    return encodeTime(time) + digits.map((d) => ALPHABET[d]).join('');
  };
}

function increment(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    const d = digits[i] ?? 0;
    if (d < 31) {
      digits[i] = d + 1;
      return;
    }
    digits[i] = 0; // carry
  }
}

function encodeTime(time: number): string {
  let out = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}
