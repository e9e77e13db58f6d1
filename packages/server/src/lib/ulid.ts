import { pooledRandomBytes } from './random.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford's base32, as ULIDs use

function randomBytes10(): Buffer {
  return pooledRandomBytes(10);
}

/** The 10-character time part of a ULID made at `ms` (ids made at or after `ms` sort at or above it). */
export function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** 80 random bits as 16 base32 digits (5 bits each), most significant first. */
function toDigits(bytes: Buffer): number[] {
  const digits: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      digits.push((acc >> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  return digits;
}

let lastTime = -1;
let lastDigits: number[] = [];

/**
 * A monotonic ULID: ids made in the same millisecond by this process sort in the order they were
 * made (the random part is incremented), so "newest first" is `ORDER BY id DESC`.
 */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    // Increment the random part; on the (astronomically unlikely) overflow, move time on by 1 ms.
    let i = lastDigits.length - 1;
    while (i >= 0 && lastDigits[i] === 31) lastDigits[i--] = 0;
    if (i < 0) {
      lastTime += 1;
      lastDigits = toDigits(randomBytes10());
    } else lastDigits[i]! += 1;
  } else {
    lastTime = now;
    lastDigits = toDigits(randomBytes10());
  }
  let random = '';
  for (const d of lastDigits) random += ALPHABET[d]!;
  return encodeTime(lastTime) + random;
}
