import { messageOwner } from '../../store/messaging/messages.js';
import type { Tx } from '../../store/store.js';
import { findDevice } from '../../store/track/devices.js';
import { deliveryFacts, insertMetric, metricWorkspaces } from '../../store/track/metrics.js';
import { findPerson, findPersonByPid, updatePerson, type PersonRow } from '../../store/track/people.js';
import { recordActivities, type ActivityType } from '../../store/activities/activities.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { mergeAttributes } from './attributes.js';
import type { WriteContext, WriteEffects } from './context.js';
import { byteLength, isEmail } from './identifiers.js';
import { MAX_ATTRIBUTE_VALUE_BYTES, parseTimestamp, writeTime } from './limits.js';
import { activity } from './people-ops.js';

/** Metric names Customer.io accepts on `/api/v1/metrics`, across channels (docs/track-api.md §8). */
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
  data: MetricData;
}

/**
 * What a metric keeps of its request body: the fields Customer.io documents for metrics
 * (docs/track-api.md §8), each cut to a bound, and nothing else. These routes need no key, so whatever they
 * store is stored for anyone on the internet: a body of up to 1 MB used to be kept whole
 * (docs/security.md). With these caps a metric row holds at most about 2 KB
 * (delivery id 128 + device token 1,000 + the fields below), typically under 200 bytes.
 */
export interface MetricData {
  recipient?: string;
  reason?: string;
  href?: string;
}

/** Roster's delivery ids are 26-character ULIDs, Customer.io's about 40-60 characters. */
export const MAX_DELIVERY_ID_BYTES = 128;
/** The most of each informational field a metric keeps; longer values are cut (not refused). */
export const METRIC_FIELD_BYTES = { recipient: 254, reason: 200, href: 512 } as const;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : undefined;
}

/** `value` cut to at most `max` UTF-8 bytes, never inside a character. */
function cut(value: string, max: number): string {
  if (byteLength(value) <= max) return value;
  const buf = Buffer.from(value, 'utf8').subarray(0, max);
  // Dropping an incomplete trailing sequence: decoding would turn it into U+FFFD.
  return buf.toString('utf8').replace(/\uFFFD+$/u, '');
}

function deliveryIdOf(body: Record<string, unknown>): string {
  const deliveryId = str(body.delivery_id);
  if (!deliveryId) throw new InvalidInputError('delivery_id', 'delivery_id is required', 'required');
  if (byteLength(deliveryId) > MAX_DELIVERY_ID_BYTES)
    throw new InvalidInputError(
      'delivery_id',
      `delivery_id cannot be longer than ${MAX_DELIVERY_ID_BYTES} bytes`,
      'too_long',
    );
  return deliveryId;
}

function deviceTokenOf(value: unknown): string | null {
  const token = str(value) ?? null;
  if (token !== null && byteLength(token) > MAX_ATTRIBUTE_VALUE_BYTES)
    throw new InvalidInputError(
      'device_id',
      `device_id cannot be longer than ${MAX_ATTRIBUTE_VALUE_BYTES} bytes`,
      'too_long',
    );
  return token;
}

/** The documented informational fields of a metric body, bounded (see `MetricData`). */
export function metricData(body: Record<string, unknown>): MetricData {
  const data: MetricData = {};
  for (const key of ['recipient', 'reason', 'href'] as const) {
    const value = str(body[key]);
    if (value !== undefined) data[key] = cut(value, METRIC_FIELD_BYTES[key]);
  }
  return data;
}

/** `/api/v1/metrics` body: delivery_id and a known metric are required. */
export function parseMetric(body: Record<string, unknown>): MetricCommand {
  const deliveryId = deliveryIdOf(body);
  const metric = str(body.metric);
  if (!metric || !METRICS.has(metric))
    throw new InvalidInputError('metric', `metric must be one of ${[...METRICS].join(', ')}`, 'invalid');
  return {
    deliveryId,
    metric,
    deviceToken: deviceTokenOf(body.device_id ?? body.device_token),
    timestamp: parseTimestamp(body.timestamp, 'timestamp'),
    data: metricData(body),
  };
}

/** `/push/events` body: `{delivery_id, event, device_id, timestamp}`. */
export function parsePushEvent(body: Record<string, unknown>): MetricCommand {
  const deliveryId = deliveryIdOf(body);
  const event = str(body.event);
  if (!event || !PUSH_EVENTS.has(event))
    throw new InvalidInputError('event', `event must be one of ${[...PUSH_EVENTS].join(', ')}`, 'invalid');
  return {
    deliveryId,
    metric: event,
    deviceToken: deviceTokenOf(body.device_id),
    timestamp: parseTimestamp(body.timestamp, 'timestamp'),
    data: metricData(body),
  };
}

/**
 * The workspace a delivery belongs to, for this request. A delivery id resolves only inside the
 * workspace that created it (docs/security.md):
 * - a message Roster sent belongs to its workspace, whatever metrics arrived before; a request
 *   authenticated as another workspace sees no message (its metric is its own, about a delivery
 *   it does not know, and is attached to nobody);
 * - otherwise an authenticated request's workspace, or, without auth, the one workspace whose
 *   earlier metrics name the delivery; when several do, none (nobody can be attached safely).
 */
async function deliveryOwner(
  trx: Tx,
  deliveryId: string,
  workspace: Workspace | null,
): Promise<{ workspaceId: number | null; message: { personPid: number | null } | undefined }> {
  const message = await messageOwner(trx, deliveryId, null);
  if (workspace) {
    const own = message && message.workspaceId === workspace.id ? message : undefined;
    return { workspaceId: workspace.id, message: own };
  }
  if (message) return { workspaceId: message.workspaceId, message };
  const named = await metricWorkspaces(trx, deliveryId);
  return { workspaceId: named.length === 1 ? named[0]! : null, message: undefined };
}

const PUSH_ACTIVITY: Record<string, ActivityType> = {
  opened: 'opened_push',
  delivered: 'delivered_push',
  converted: 'converted_push',
};

/**
 * Stores a metric against its delivery (see `deliveryOwner` for which workspace that is). A metric
 * that no workspace owns (no key, no message, no earlier metric) is dropped: nothing could ever
 * read it, and keeping it would let anyone store rows without a key. A push metric for a known
 * device shows in its person's history.
 */
export async function recordMetric(
  trx: Tx,
  workspace: Workspace | null,
  now: number,
  source: string,
  cmd: MetricCommand,
  fx: WriteEffects,
): Promise<void> {
  const timestamp = writeTime(cmd.timestamp, now);
  const { workspaceId, message } = await deliveryOwner(trx, cmd.deliveryId, workspace);
  if (workspaceId === null) return;
  await insertMetric(
    trx,
    {
      workspaceId,
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
      workspaceId,
      source,
    });
    return;
  }
  if (!type || !cmd.deviceToken || !workspace) return;
  const device = await findDevice(trx, workspaceId, cmd.deviceToken);
  const person = device && (await findPersonByPid(trx, workspaceId, device.personPid));
  if (!person || person.workspaceId !== workspaceId) return;
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
 * `/unsubscribe/:delivery_id` (docs/track-api.md §8): stores the metric and sets `unsubscribed` on the person
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
  const { workspaceId, message } = await deliveryOwner(trx, deliveryId, workspace);
  // Nobody owns it: nothing to record or change (and nothing stored for an unauthenticated caller).
  if (workspaceId === null) return;
  const facts = await deliveryFacts(trx, deliveryId, workspaceId);
  await insertMetric(
    trx,
    {
      workspaceId,
      deliveryId,
      metric: unsubscribe ? 'unsubscribed' : 'resubscribed',
      deviceToken: facts.deviceToken,
      data: { unsubscribe },
      timestamp: now,
    },
    now,
  );
  const ws = workspace ?? (await resolveWorkspace(workspaceId));
  if (!ws) return;
  fx.workspace = ws;
  let person: PersonRow | undefined;
  // A message Roster sent names its person directly (checked to be of the same workspace).
  if (message?.personPid != null) {
    const named = await findPersonByPid(trx, ws.id, message.personPid);
    if (named?.workspaceId === ws.id) person = named;
  }
  if (!person && facts.deviceToken) {
    const device = await findDevice(trx, ws.id, facts.deviceToken);
    if (device) person = await findPersonByPid(trx, ws.id, device.personPid);
  }
  if (!person && facts.recipient && isEmail(facts.recipient))
    person = await findPerson(trx, ws.id, { kind: 'email', value: facts.recipient });
  if (!person) return;
  const merged = mergeAttributes(person.attributes, person.attrTs, [['unsubscribed', unsubscribe]], now);
  await updatePerson(
    trx,
    person,
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
