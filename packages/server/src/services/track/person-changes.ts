/**
 * The people a write changed, for the person-change listeners (segments). It also remembers when
 * the only change to an existing person was to some attributes, and which: the segments engine
 * skips re-evaluation when no segment reads any of them. Any other change (`add`) makes the change
 * "anything", whichever came first.
 */
export class PersonChanges extends Set<number> {
  private readonly attributeOnly = new Map<number, Set<string>>();
  private readonly removedPids = new Set<number>();

  /** The person was deleted by this write (deleted, suppressed, merged away). */
  markRemoved(pid: number): this {
    this.removedPids.add(pid);
    return this.add(pid);
  }

  removed(pid: number): boolean {
    return this.removedPids.has(pid);
  }

  override add(pid: number): this {
    this.attributeOnly.delete(pid);
    return super.add(pid);
  }

  /** The person's attributes (top-level names, or dotted topic paths) changed, and nothing else. */
  addAttributes(pid: number, names: Iterable<string>): this {
    if (!this.has(pid)) {
      super.add(pid);
      this.attributeOnly.set(pid, new Set(names));
    } else {
      const known = this.attributeOnly.get(pid);
      if (known) for (const n of names) known.add(n);
    }
    return this;
  }

  /** The changed attribute names when that is all that changed, else undefined (anything may have). */
  attributesOnly(pid: number): ReadonlySet<string> | undefined {
    return this.attributeOnly.get(pid);
  }
}
