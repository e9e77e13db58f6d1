import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import type { Store, Tx } from '../../store/store.js';
import type { WorkspaceService } from '../workspaces.js';
import type { Workspace } from '../workspace-types.js';
import type {
  DeliveryMetricHook,
  EventListener,
  PersonChangeListener,
  TrackWrite,
  WriteContext,
  WriteEffects,
} from './context.js';
import { unsubscribeDelivery } from './delivery.js';

/** PostgreSQL errors worth one more attempt: unique violation (a racing writer), deadlock, serialization. */
const RETRYABLE = new Set(['23505', '40P01', '40001']);
const ATTEMPTS = 3;

/**
 * Runs Track writes. Each write is one transaction: it locks the identities it names, runs, then
 * lets the person-change listeners (segments, later) act on every person it changed — all before
 * commit, and the caller answers 200 only after `execute` resolves.
 */
export class TrackService {
  /** Plug-in point for the segments engine (issue #6): called inside each write's transaction. */
  readonly personChangeListeners: PersonChangeListener[] = [];
  /** Campaign triggers (issue #8): called inside the write's transaction for each stored event. */
  readonly eventListeners: EventListener[] = [];
  /** Messaging's `applyDeliveryMetric`, when wired: push metrics also update the message. */
  deliveryMetricHook: DeliveryMetricHook | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly workspaces: WorkspaceService,
  ) {}

  async execute(workspace: Workspace | null, source: string, write: TrackWrite): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.transaction(async (trx) => {
          await this.store.lockKeys(trx, write.lockKeys);
          const ctx = this.context(workspace, source);
          const fx: WriteEffects = {
            changed: new Set(),
            events: [],
            ...(this.deliveryMetricHook ? { deliveryMetric: this.deliveryMetricHook } : {}),
          };
          await write.run(trx, ctx, fx);
          await this.notify(trx, fx.workspace ?? workspace, fx);
          await this.notifyEvents(trx, fx.workspace ?? workspace, fx);
        });
        return;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
      }
    }
  }

  /** `POST /unsubscribe/:delivery_id`: the workspace may come from the delivery itself. */
  async unsubscribe(
    workspace: Workspace | null,
    source: string,
    deliveryId: string,
    flag: boolean,
  ): Promise<void> {
    await this.execute(workspace, source, {
      lockKeys: [`delivery:${deliveryId}`],
      run: (trx, ctx, fx) =>
        unsubscribeDelivery(
          trx,
          workspace,
          (id) => this.workspaces.get(id),
          ctx.now,
          source,
          deliveryId,
          flag,
          fx,
        ),
    });
  }

  private context(workspace: Workspace | null, source: string): WriteContext {
    // Unauthenticated metric writes have no workspace; nothing they run reads ctx.workspace.
    return { workspace: workspace as Workspace, source, now: unixSeconds(this.clock) };
  }

  private async notifyEvents(trx: Tx, workspace: Workspace | null, fx: WriteEffects): Promise<void> {
    if (!workspace || this.eventListeners.length === 0) return;
    for (const event of fx.events ?? [])
      for (const listener of this.eventListeners) await listener(trx, workspace, event);
  }

  private async notify(trx: Tx, workspace: Workspace | null, fx: WriteEffects): Promise<void> {
    if (!workspace || this.personChangeListeners.length === 0) return;
    for (const pid of fx.changed)
      for (const listener of this.personChangeListeners) await listener(trx, workspace, pid);
  }
}
