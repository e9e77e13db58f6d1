import type { Clock } from '../../lib/clock.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { MetricsRegistry } from '../../lib/metrics.js';
import type { Tx } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { IdentityGuard, v2Identity } from '../identity/guard.js';
import type { BatchItem, TrackService } from './track-service.js';
import { parseV2 } from './v2.js';

/** v2 size limits (docs/track-api.md §1): entity and each batch item < 32 KB, the batch < 500 KB. */
export const MAX_ENTITY_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

/** An item of a batch refused before anything was written, with the caller's reason. */
export interface Refused<E> {
  readonly refused: E;
}

/** One item of a batch as `apply` takes it: its write(s), or why it was already refused. */
export type PreparedItem<E> = BatchItem | Refused<E>;

/** A failed item of a batch, by its index: refused when prepared (`E`) or by its write. */
export interface ItemFailure<E> {
  index: number;
  error: E | InvalidInputError;
}

export interface ApplyOptions<E> {
  /** Campaign event triggers and the delivery-metric hook (default true; `roster import` turns them off). */
  triggers?: boolean;
  /**
   * Runs inside the transaction after the items, with every failure in item order, so the caller's
   * own bookkeeping commits with the batch. May run more than once (PostgreSQL retries).
   */
  finish?: (trx: Tx, failures: readonly ItemFailure<E>[]) => Promise<void>;
}

/**
 * The Track API v2 writes (docs/track-api.md §2): one operation (`entity`), a batch (`batch`), and
 * the batch machinery both `POST /api/v2/batch` and `roster import` use (`apply`): items are
 * independent, validated first, then applied in order in one transaction (`TrackService.executeBatch`:
 * a refused item rolls back only itself); only failed items are reported, the others commit.
 */
export class TrackV2Service {
  private readonly guard: IdentityGuard;

  constructor(
    private readonly track: TrackService,
    clock: Clock,
    metrics: MetricsRegistry,
  ) {
    this.guard = new IdentityGuard(clock, metrics);
  }

  /** `POST /api/v2/entity`: one operation, signed identify checked, in its own transaction. */
  async entity(ws: Workspace, source: string, body: unknown): Promise<void> {
    if (body === undefined) throw new InvalidInputError('', 'request body is required', 'required');
    this.checkSignature(ws, body);
    await this.track.execute(ws, source, parseV2(body, ws));
  }

  /**
   * `POST /api/v2/batch`: the failed items in item order (empty: all applied). `sentBytes` is the
   * request's Content-Length (NaN when absent): the 32 KB limit is on what a client sent, so a body
   * of at most 32 KB has no item over it. Larger bodies measure each item as JSON again (for 100
   * small items that costs as much as parsing the whole body), which can count more than was sent
   * (`1e20` is 21 bytes as JSON): an item near the limit may pass in a small batch and not in a
   * large one.
   */
  async batch(
    ws: Workspace,
    source: string,
    body: unknown,
    sentBytes: number,
  ): Promise<ItemFailure<InvalidInputError>[]> {
    const batch = (body as { batch?: unknown } | undefined)?.batch;
    if (!Array.isArray(batch))
      throw new InvalidInputError('batch', 'batch must be an array of operations', 'required');
    const measure = !(sentBytes <= MAX_ENTITY_BYTES);
    const items = batch.map((item): PreparedItem<InvalidInputError> => {
      try {
        if (measure && Buffer.byteLength(JSON.stringify(item) ?? '') > MAX_ENTITY_BYTES)
          throw new InvalidInputError('', 'operation is larger than 32 KB', 'too_large');
        // A refused signature is this item's `forbidden` error; the other items are written.
        this.checkSignature(ws, item);
        return parseV2(item, ws);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        return { refused: err };
      }
    });
    return this.apply(ws, source, items);
  }

  /**
   * Applies prepared items in one transaction: the writes of the items not already refused, in
   * order, each refused by its write rolling back only itself. Answers every failure (refused
   * before or by its write) in item order. One transaction per batch instead of one per item is
   * the bulk of a batch's saving (see `TrackService.executeBatch`).
   */
  async apply<E>(
    ws: Workspace,
    source: string,
    items: readonly PreparedItem<E>[],
    options: ApplyOptions<E> = {},
  ): Promise<ItemFailure<E>[]> {
    const writes: BatchItem[] = [];
    const indexes: number[] = [];
    const refused: ItemFailure<E>[] = [];
    for (const [index, item] of items.entries()) {
      if (isRefused(item)) refused.push({ index, error: item.refused });
      else {
        writes.push(item);
        indexes.push(index);
      }
    }
    const merge = (failures: ReadonlyMap<number, InvalidInputError>): ItemFailure<E>[] => {
      const all: ItemFailure<E>[] = [...refused];
      for (const [i, error] of failures) all.push({ index: indexes[i]!, error });
      return all.sort((a, b) => a.index - b.index);
    };
    const finish = options.finish;
    const failures = await this.track.executeBatch(ws, source, writes, {
      ...(options.triggers === undefined ? {} : { triggers: options.triggers }),
      ...(finish ? { finish: (trx, found) => finish(trx, merge(found)) } : {}),
    });
    return merge(failures);
  }

  /** Signed identify for one operation: its `identity_signature` beside `identifiers`. */
  private checkSignature(ws: Workspace, op: unknown): void {
    const need = v2Identity(op);
    if (need === 'anonymous') return;
    if (need === 'unsignable') return this.guard.unsignable(ws, 'merging people');
    const sig = (op as { identity_signature?: unknown }).identity_signature;
    const token = typeof sig === 'string' ? sig : undefined;
    this.guard.person(ws, need.identifier, token, 'identity_signature', need.kind);
  }
}

function isRefused<E>(item: PreparedItem<E>): item is Refused<E> {
  return !Array.isArray(item) && 'refused' in item;
}
