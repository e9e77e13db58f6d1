import type { Tx } from '../store/store.js';
import {
  applyDeliveryMetric,
  type DeliveryMetricInput,
  type DeliveryMetricResult,
} from './delivery/delivery-metrics.js';
import type { MessagingDeps } from './messaging-deps.js';
import {
  planPush,
  queuePush,
  writePush,
  type PushPlan,
  type QueuedPush,
  type QueuePushInput,
} from './push-queue.js';
import { TemplateRenderer } from './templates/template-render.js';

/**
 * The messaging facade the route layer holds: one per app, built from the same store and clock.
 * Example:
 * ```ts
 * const messaging = new MessagingService({ store, clock, onDeviceChanged: segments.reevaluate });
 * const queued = await store.transaction((trx) => messaging.queuePush(trx, input));
 * ```
 */
export class MessagingService {
  readonly renderer: TemplateRenderer;

  constructor(
    private readonly deps: MessagingDeps,
    renderer?: TemplateRenderer,
  ) {
    this.renderer = renderer ?? new TemplateRenderer();
  }

  queuePush(trx: Tx, input: QueuePushInput): Promise<QueuedPush> {
    return queuePush({ ...this.deps, renderer: this.renderer }, trx, input);
  }

  /** `queuePush`'s render phase alone: reads only, so it may run outside a write transaction. */
  planPush(db: Tx, input: QueuePushInput): Promise<PushPlan> {
    return planPush({ renderer: this.renderer }, db, input);
  }

  /** `queuePush`'s write phase, for a plan from `planPush`. */
  writePush(trx: Tx, input: QueuePushInput, plan: PushPlan): Promise<QueuedPush> {
    return writePush(this.deps, trx, input, plan);
  }

  applyDeliveryMetric(trx: Tx, input: DeliveryMetricInput): Promise<DeliveryMetricResult> {
    return applyDeliveryMetric(this.deps, trx, input);
  }
}
