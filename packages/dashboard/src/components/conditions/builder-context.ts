/** What every editor of the conditions builder needs to know about where it is. */
export interface BuilderContext {
  /** Segments a `segment` condition can name ({id, name}). */
  segments: ReadonlyArray<{ id: number; name: string }>;
  /** A segment cannot refer to itself. */
  excludeSegment?: number | undefined;
  /** Object types an `object` condition can name. */
  objectTypes: ReadonlyArray<{ id: string; name: string }>;
  /**
   * `person` at the top; inside a device block fields are device fields, inside `where` event
   * data, inside an `object` condition the object's or the relationship's attributes.
   */
  scope: 'person' | 'device' | 'event' | 'object' | 'relationship';
  /** The datalist of field names for this scope. */
  listId: string;
  /** How rows name their controls: "Attribute field", "Device field", "Event data field". */
  subject: string;
  /** Problems by row pointer (`/and/1`, `/and/2/device/and/0`); `''` is the whole. */
  errors: Readonly<Record<string, string>>;
  /** Makes element ids unique when a page has more than one builder. */
  idPrefix: string;
}

/** The id of a row's error message (for aria-describedby). */
export function errorId(ctx: BuilderContext, pointer: string): string {
  return `${ctx.idPrefix}-err${pointer.replace(/\//g, '-')}`;
}
