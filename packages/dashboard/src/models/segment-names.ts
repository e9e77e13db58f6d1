import type { SegmentNames } from './conditions';

/** Names segments by id for condition descriptions. */
export function segmentNames(
  segments: ReadonlyArray<{ id: number; name: string }> | undefined,
): SegmentNames {
  const byId = new Map((segments ?? []).map((s) => [s.id, s.name]));
  return (id) => byId.get(id);
}
