import { InvalidInputError } from '../../lib/errors.js';
import type { AttributeIndexKind } from '../../store/filter/compile-filter.js';

/** Longest attribute name that can be indexed. */
const MAX_NAME = 150;

/** `POST /v1/indexed_attributes`: the attribute to index and how its values compare. */
export interface AddAttributeIndex {
  name: string;
  kind: AttributeIndexKind;
}

/** `type`: `text` (the default) or `number`. */
export function parseAttributeIndexKind(raw: unknown, pointer: string): AttributeIndexKind {
  if (raw === undefined || raw === 'text') return 'text';
  if (raw === 'number') return 'number';
  throw new InvalidInputError(pointer, 'type must be "text" (for eq/in) or "number" (for gt/gte/lt/lte)');
}

/** `{name, type?}`: a person attribute's name (not an identifier, always indexed). */
export function parseAddAttributeIndex(body: unknown): AddAttributeIndex {
  const b = (body ?? {}) as { name?: unknown; type?: unknown };
  if (typeof b.name !== 'string' || b.name === '')
    throw new InvalidInputError('/name', 'name is required: the attribute to index', 'required');
  const name = b.name;
  if (name.length > MAX_NAME)
    throw new InvalidInputError('/name', `name is longer than ${MAX_NAME} characters`, 'too_long');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new InvalidInputError('/name', 'name must not contain control characters');
  if (name === 'id' || name === 'email' || name === 'cio_id')
    throw new InvalidInputError('/name', `${name} is an identifier and is always indexed`);
  return { name, kind: parseAttributeIndexKind(b.type, '/type') };
}
