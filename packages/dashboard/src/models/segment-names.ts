import type { SegmentNames, TypeNames } from './conditions';

/** Names segments by id for condition descriptions. */
export function segmentNames(
  segments: ReadonlyArray<{ id: number; name: string }> | undefined,
): SegmentNames {
  const byId = new Map((segments ?? []).map((s) => [s.id, s.name]));
  return (id) => byId.get(id);
}

/** Names object types by id for condition descriptions ("a Company"). */
export function typeNames(
  types: ReadonlyArray<{ id: string; name: string; singular_name: string }> | undefined,
): TypeNames {
  const byId = new Map((types ?? []).map((t) => [t.id, { name: t.name, singular: t.singular_name }]));
  return (id) => byId.get(id);
}
