/**
 * Concurrent writes waiting to run, grouped per key (a workspace): at most `maxRunning` groups run
 * at once, and the writes that arrive meanwhile wait and run together as the next group, up to
 * `maxGroup` of them. A write alone runs at once; under load, groups grow by themselves to the
 * number of writes that arrived while the running ones ran. See `TrackService.execute`.
 */
export interface GroupMember<T> {
  readonly item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export class WriteGroups<T> {
  private readonly waiting = new Map<number, GroupMember<T>[]>();
  private running = 0;

  constructor(
    /** Runs a group and settles every member (resolve after COMMIT, or reject). */
    private readonly run: (key: number, members: GroupMember<T>[]) => Promise<void>,
    private readonly maxRunning: number,
    private readonly maxGroup: number,
  ) {}

  submit(key: number, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let queue = this.waiting.get(key);
      if (!queue) this.waiting.set(key, (queue = []));
      queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.maxRunning) {
      // The longest-waiting key first (a Map iterates in insertion order; a key with writes left
      // goes to the back), so one busy workspace cannot starve another.
      const next = this.waiting.entries().next();
      if (next.done) return;
      const [key, queue] = next.value;
      const members = queue.splice(0, this.maxGroup);
      this.waiting.delete(key);
      if (queue.length > 0) this.waiting.set(key, queue);
      this.running++;
      this.run(key, members)
        .catch((err: unknown) => {
          // `run` settles its members; this only covers a bug in it (a settled promise ignores it).
          for (const m of members) m.reject(err);
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}
