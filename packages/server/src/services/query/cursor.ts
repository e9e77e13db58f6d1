import { InvalidInputError } from '../../lib/errors.js';

/**
 * Opaque page tokens (docs/app-api.md "Conventions"): base64 of `<kind>:<key>`, e.g. `p:1234` for
 * "people after pid 1234". The kind keeps a token from one list from being replayed against
 * another.
 */
export function encodeCursor(kind: string, key: string | number): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64');
}

/** Decodes a `start` token; `undefined`/`''` means the first page. A malformed token is a 400. */
export function decodeCursor(kind: string, token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  const text = Buffer.from(token, 'base64').toString('utf8');
  const prefix = `${kind}:`;
  if (!text.startsWith(prefix) || text.length === prefix.length)
    throw new InvalidInputError('start', 'start is not a valid page token', 'invalid');
  return text.slice(prefix.length);
}

/** A pid keyset cursor: 0 before the first page. */
export function decodePidCursor(token: string | undefined): number {
  const key = decodeCursor('p', token);
  if (key === undefined) return 0;
  if (!/^\d+$/.test(key)) throw new InvalidInputError('start', 'start is not a valid page token', 'invalid');
  return Number(key);
}
