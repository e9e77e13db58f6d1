import { ValidationErrors, checkAttributes, MAX_ATTRIBUTES } from '../track/limits.js';
import { requireObject } from '../track/events.js';

/**
 * Customer.io's object limits (docs/objects.md "Limits"): ≤300 attributes, ≤100 KB of them per
 * object or relationship.
 */
export const MAX_OBJECT_ATTRIBUTES = MAX_ATTRIBUTES;
export const MAX_OBJECT_ATTRIBUTE_BYTES = 100 * 1024;
/**
 * Relationships one call may add or remove. A v2 operation is under 32 KB, which holds about a
 * thousand short ones; the same bound keeps a v1 identify (no such size limit) to bounded work.
 */
export const MAX_RELATIONSHIPS_PER_CALL = 1000;
/** Object types per workspace: the types list and the dashboard's navigation stay short. */
export const MAX_OBJECT_TYPES = 100;

/** Entries of an attribute map from the wire, with the per-name and per-value limits checked. */
export function attributeEntries(raw: unknown, field: string): Array<[string, unknown]> {
  if (raw === undefined || raw === null) return [];
  const entries = Object.entries(requireObject(raw, field));
  checkAttributes(entries, field);
  return entries;
}

/** After a merge: the 300-attribute and 100 KB limits on what the object or relationship would hold. */
export function checkMerged(attributes: Record<string, unknown>, what: string, field: string): void {
  const count = Object.keys(attributes).length;
  if (count > MAX_OBJECT_ATTRIBUTES)
    throw new ValidationErrors([`${what} cannot have more than ${MAX_OBJECT_ATTRIBUTES} attributes`], field);
  const bytes = Buffer.byteLength(JSON.stringify(attributes), 'utf8');
  if (bytes > MAX_OBJECT_ATTRIBUTE_BYTES)
    throw new ValidationErrors(
      [
        `${what}'s attributes cannot exceed ${MAX_OBJECT_ATTRIBUTE_BYTES / 1024} KB (they would be ${Math.ceil(bytes / 1024)} KB)`,
      ],
      field,
      'too_long',
    );
}
