import type { PersonIdentifiers } from './wire.js';

// Deliberately loose: Customer.io infers the type of a v1 path identifier from its shape
// ("looks like an email"), so we mirror that inference instead of validating addresses.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Maps the identifier an app passes to `identify()` to v2 `identifiers`. v1 paths let the server infer
 * the type; v2 needs an explicit key, so: email-shaped → `{email}`, `cio_<x>` → `{cio_id: x}` (v2
 * carries no prefix, docs/track-api.md §2), anything else → `{id}`.
 * @example
 * identifiersFor('a@b.co'); // { email: 'a@b.co' }
 * identifiersFor('42');     // { id: '42' }
 */
export function identifiersFor(identifier: string): PersonIdentifiers {
  if (EMAIL_SHAPE.test(identifier)) return { email: identifier };
  if (identifier.startsWith('cio_') && identifier.length > 4) return { cio_id: identifier.slice(4) };
  return { id: identifier };
}
