import { InvalidInputError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { IdentifierColumn } from '../../store/people/people-read.js';
import { emailKey } from '../identity/email.js';

export type IdType = 'id' | 'email' | 'cio_id';

/**
 * Reads `?id_type=` (docs/app-api.md "Conventions"): default `id`; `email` only where email is an
 * identifier; `phone` is never enabled in Roster (400); anything else is a 400.
 */
export function parseIdType(raw: unknown, workspace: Workspace): IdType {
  if (raw === undefined || raw === '') return 'id';
  if (raw === 'id' || raw === 'cio_id') return raw;
  if (raw === 'email') {
    if (workspace.identifierMode === 'id')
      throw new InvalidInputError('id_type', 'id_type email is not enabled for this workspace');
    return 'email';
  }
  if (raw === 'phone')
    throw new InvalidInputError('id_type', 'id_type phone is not enabled for this workspace');
  throw new InvalidInputError('id_type', 'id_type must be one of id, email, cio_id');
}

/** The column and normalised value a lookup uses: emails by `emailKey`, `cio_` prefixes dropped. */
export function lookupKey(idType: IdType, value: string): { column: IdentifierColumn; value: string } {
  switch (idType) {
    case 'id':
      return { column: 'id', value };
    case 'email':
      return { column: 'email_norm', value: emailKey(value) };
    case 'cio_id':
      // Accept both the bare value (node's getAttributes) and the `cio_` form (/v1/activities).
      return { column: 'cio_id', value: value.startsWith('cio_') ? value.slice(4) : value };
  }
}
