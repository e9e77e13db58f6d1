import type { ObjectIdentifiers } from '@roster/protocol';

/** Objects in words and links: their names, their pages, their history. */

/** An object's name: its `name` attribute when it has one, else its id. */
export function objectLabel(
  objectId: string,
  attributes: Readonly<Record<string, string>> | undefined,
): string {
  const name = attributes?.name?.trim();
  return name ? name : objectId;
}

/** The dashboard path of an object's page. */
export function objectHref(ids: Pick<ObjectIdentifiers, 'object_type_id' | 'object_id'>): string {
  return `/objects/${encodeURIComponent(ids.object_type_id)}/${encodeURIComponent(ids.object_id)}`;
}

/** The object identifiers an activity's data carries (a person's relationship activities), if any. */
export function objectIdsIn(data: unknown): Pick<ObjectIdentifiers, 'object_type_id' | 'object_id'> | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as { object_type_id?: unknown; object_id?: unknown };
  return typeof d.object_type_id === 'string' && typeof d.object_id === 'string'
    ? { object_type_id: d.object_type_id, object_id: d.object_id }
    : null;
}

const OBJECT_ACTIVITY_LABELS: Record<string, string> = {
  create: 'Created',
  attribute_change: 'Attributes changed',
  failed_attribute_change: 'Attribute change failed',
  add_relationship: 'Person related',
  relationship_attribute_change: 'Relationship changed',
  delete_relationship: 'Person no longer related',
  delete: 'Deleted',
};

/** `_o:1:attribute_change` (as the App API names an object's activities) → `attribute_change`. */
export function objectActivityKind(type: string): string {
  const m = /^_o:[^:]*:(.+)$/.exec(type);
  return m ? m[1]! : type;
}

/** "Attributes changed", "Person related". */
export function objectActivityTitle(type: string): string {
  const kind = objectActivityKind(type);
  return OBJECT_ACTIVITY_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

/** A relationship attribute's value as text: strings as they are, anything else as JSON. */
export function relationshipValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
