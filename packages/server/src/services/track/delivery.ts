import { messageOwner } from '../../store/messaging/messages.js';
import type { Tx } from '../../store/store.js';
import { findDevice } from '../../store/track/devices.js';
import { deliveryFacts, insertMetric } from '../../store/track/metrics.js';
import { findPerson, findPersonByPid, updatePerson, type PersonRow } from '../../store/track/people.js';
import { recordActivities, type ActivityType } from '../../store/activities/activities.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { mergeAttributes } from './attributes.js';
import type { WriteContext, WriteEffects } from './context.js';
import { isEmail } from './identifiers.js';
import { parseTimestamp } from './limits.js';
import { activity } from './people-ops.js';

/** Metric names Customer.io accepts on `/api/v1/metrics`, across channels (spec §3.10). */
export const METRICS = new Set([
  'bounced',
  'clicked',
  'converted',
  'deferred',
  'delivered',
  'dropped',
  'opened',
  'spammed',
]);
/** Push events (`/push/events`, v2 delivery ops). */
export const PUSH_EVENTS = new Set(['opened', 'converted', 'delivered']);

export interface MetricCommand {
  deliveryId: string;
  metric: string;
  deviceToken: string | null;
  timestamp: number | undefined;
  data: Record<string, unknown>;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;
}

/** `/api/v1/metrics` body: delivery_id and a known metric are required. */
export function parseMetric(body: Record<string, unknown>): MetricCommand {
  const deliveryId = str(body.delivery_id);
  if (!deliveryId) throw new InvalidInputError('delivery_id', 'delivery_id is required', 'required');
  const metric = str(body.metric);
  if (!metric || !METRICS.has(metric))
    throw new InvalidInputError('metric', `metric must be one of ${[...METRICS].join(', ')}`, 'invalid');
  return {
    deliveryId,
    metric,
    deviceToken: str(body.device_id) ?? str(body.device_token) ?? null,
    timestamp: parseTimestamp(body.timestamp, 'timestamp'),
    data: body,
  };
}

/** `/push/events` body: `{delivery_id, event, device_id, timestamp}`. */
export function parsePushEvent(body: Record<string, unknown>): MetricCommand {
  const deliveryId = str(body.delivery_id);
  if (!deliveryId) throw new InvalidInputError('delivery_id', 'delivery_id is required', 'required');
  const event = str(body.event);
  if (!event || !PUSH_EVENTS.has(event))
    throw new InvalidInputError('event', `event must be one of ${[...PUSH_EVENTS].join(', ')}`, 'invalid');
  return {
    deliveryId,
    metric: event,
    deviceToken: str(body.device_id) ?? null,
    timestamp: parseTimestamp(body.timestamp, 'timestamp'),
    data: body,
  };
}

const PUSH_ACTIVITY: Record<string, ActivityType> = {
  opened: 'opened_push',
  delivered: 'delivered_push',
  converted: 'converted_push',
};

/**
 * Stores a metric against its delivery. Without auth the workspace is the one earlier metrics of
 * the same delivery named, if any. A push metric for a known device shows in its person's history.
 */
export async function recordMetric(
  trx: Tx,
  workspace: Workspace | null,
  now: number,
  source: string,
  cmd: MetricCommand,
  fx: WriteEffects,
): Promise<void> {
  const message = await messageOwner(trx, cmd.deliveryId, workspace?.id ?? null);
  const facts = workspace
    ? { workspaceId: workspace.id }
    : message
      ? { workspaceId: message.workspaceId }
      : await deliveryFacts(trx, cmd.deliveryId, null);
  const timestamp = cmd.timestamp ?? now;
  await insertMetric(
    trx,
    {
      workspaceId: facts.workspaceId,
      deliveryId: cmd.deliveryId,
      metric: cmd.metric,
      deviceToken: cmd.deviceToken,
      data: cmd.data,
      timestamp,
    },
    now,
  );
  const type = PUSH_ACTIVITY[cmd.metric];
  // A delivery Roster sent: the message's metrics and its `<metric>_push` activity (once) instead.
  if (type && message && fx.deliveryMetric) {
    await fx.deliveryMetric(trx, {
      deliveryId: cmd.deliveryId,
      metric: cmd.metric as 'delivered' | 'opened' | 'converted',
      timestamp,
      workspaceId: message.workspaceId,
      source,
    });
    return;
  }
  if (!type || !cmd.deviceToken || facts.workspaceId === null || !workspace) return;
  const device = await findDevice(trx, facts.workspaceId, cmd.deviceToken);
  const person = device && (await findPersonByPid(trx, device.personPid));
  if (!person) return;
  const ctx: WriteContext = { workspace, source, now };
  await recordActivities(trx, [
    {
      ...activity(ctx, person, { type, name: cmd.deviceToken, data: { metric: cmd.metric }, timestamp }),
      deliveryId: cmd.deliveryId,
      deliveryType: 'push',
    },
  ]);
}

/**
 * `/unsubscribe/:delivery_id` (spec §3.14): stores the metric and sets `unsubscribed` on the person
 * behind the delivery when earlier metrics name one (by device token or recipient email).
 */
export async function unsubscribeDelivery(
  trx: Tx,
  workspace: Workspace | null,
  resolveWorkspace: (id: number) => Promise<Workspace | undefined>,
  now: number,
  source: string,
  deliveryId: string,
  unsubscribe: boolean,
  fx: WriteEffects,
): Promise<void> {
  const message = await messageOwner(trx, deliveryId, workspace?.id ?? null);
  const facts = await deliveryFacts(trx, deliveryId, workspace?.id ?? null);
  if (facts.workspaceId === null && message) facts.workspaceId = message.workspaceId;
  await insertMetric(
    trx,
    {
      workspaceId: facts.workspaceId,
      deliveryId,
      metric: unsubscribe ? 'unsubscribed' : 'resubscribed',
      deviceToken: facts.deviceToken,
      data: { unsubscribe },
      timestamp: now,
    },
    now,
  );
  if (facts.workspaceId === null) return;
  const ws = workspace ?? (await resolveWorkspace(facts.workspaceId));
  if (!ws) return;
  fx.workspace = ws;
  let person: PersonRow | undefined;
  // A message Roster sent names its person directly.
  if (message?.personPid != null) person = await findPersonByPid(trx, message.personPid);
  if (!person && facts.deviceToken) {
    const device = await findDevice(trx, ws.id, facts.deviceToken);
    if (device) person = await findPersonByPid(trx, device.personPid);
  }
  if (!person && facts.recipient && isEmail(facts.recipient))
    person = await findPerson(trx, ws.id, { kind: 'email', value: facts.recipient });
  if (!person) return;
  const merged = mergeAttributes(person.attributes, person.attrTs, [['unsubscribed', unsubscribe]], now);
  await updatePerson(
    trx,
    person.pid,
    {
      id: person.id,
      email: person.email,
      attributes: merged.attributes,
      attrTs: merged.attrTs,
      unsubscribed: unsubscribe,
    },
    now,
    person,
  );
  if (Object.keys(merged.changes).length === 0) return;
  await recordActivities(trx, [
    {
      ...activity({ workspace: ws, source, now }, person, {
        type: 'attribute_change',
        name: 'unsubscribed',
        data: merged.changes,
      }),
      deliveryId,
    },
  ]);
  fx.changed.add(person.pid);
}
