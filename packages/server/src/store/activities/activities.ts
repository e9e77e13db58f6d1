import { ulid } from '../../lib/ulid.js';
import { executeLater, placeholders, StatementsByCount } from '../sql.js';
import { toJson, type Tx } from '../store.js';
import { activityTapOf } from './activity-tap.js';

/**
 * Every kind of change Roster records in a person's history. The App API returns these as
 * activities (docs/app-api.md "Activities") and the dashboard draws its timeline from them.
 *
 * `data` by type:
 * - `profile_create`: `{ identifiers: {id, email, cio_id} }`
 * - `attribute_change`: `{ <attr>: { from, to } }` — one activity per write, all changed attributes
 *   (identifiers `id`/`email` too); `from`/`to` are the JSON values, `null` when absent.
 *   `name` is the attribute's name when exactly one changed.
 * - `failed_attribute_change`: `{ reason, attributes? }` — the write was answered 200 but not applied.
 * - `device_change`: `{ action: added|updated|moved_in|moved_out|deleted, token, platform,
 *   from?: identifiers, to?: identifiers, changes?: {<field>: {from,to}} }`; `name` = the token.
 * - `event` | `page` | `screen`: the event's data; `name` = the event name (the event row keeps its id).
 * - `group`: a Pipelines `group` call `{ group_id, object_type_id, traits }`; `name` = the group id
 * - `anon_merge`: `{ anonymous_id, events }` (count attached)
 * - `profile_merge`: `{ secondary: { identifiers, attributes }, devices, events }`
 * - `profile_delete`: `{ reason: 'deleted' | 'suppressed' | 'merged' }`
 * - `entered_segment` | `exited_segment`: `{ segment_id, segment_name }`; `name` = segment name
 * - `add_relationship` | `delete_relationship`: `{ object_type_id, object_id, cio_object_id,
 *   relationship_attributes }`; `relationship_attribute_change`: the same with `changes: {<attr>: {from, to}}`;
 *   `relationship_failed_attribute_change`: the object's identifiers with `{ reason, attributes }`.
 * - `sent_push` | `delivered_push` | `opened_push` | `bounced_push` | `failed_push`: with
 *   `delivery_id` and `delivery_type` columns set.
 */
export type ActivityType =
  | 'profile_create'
  | 'attribute_change'
  | 'failed_attribute_change'
  | 'device_change'
  | 'event'
  | 'page'
  | 'screen'
  | 'anon_merge'
  | 'group'
  | 'profile_merge'
  | 'profile_delete'
  | 'entered_segment'
  | 'exited_segment'
  | 'sent_push'
  | 'delivered_push'
  | 'opened_push'
  | 'converted_push'
  | 'bounced_push'
  | 'failed_push'
  | 'undeliverable_push'
  | 'add_relationship'
  | 'delete_relationship'
  | 'relationship_attribute_change'
  | 'relationship_failed_attribute_change';

export interface PersonIdentifiers {
  id: string | null;
  email: string | null;
  cio_id: string;
}

export interface ActivityInput {
  workspaceId: number;
  personPid: number | null;
  identifiers: PersonIdentifiers | null;
  type: ActivityType;
  name?: string | null;
  data?: unknown;
  /** track_v1 | track_v2 | sdk | app_api | cli | system, optionally `:<user agent>`. */
  source: string;
  timestamp: number;
  deliveryId?: string | null;
  deliveryType?: string | null;
}

/** Activity ids are ULIDs: unique across processes, and sortable so newest-first is `id desc`. */
export function activityId(timestampMs?: number): string {
  return ulid(timestampMs);
}

const INSERT = new StatementsByCount(
  (n) =>
    `insert into activities (id, workspace_id, person_pid, customer_identifiers, type, name, data, source, delivery_id, delivery_type, timestamp, deleted)
     values ${Array.from({ length: n }, () => `(${placeholders(12)})`).join(', ')}`,
);

/**
 * Records activities inside the caller's transaction, so history commits with the change; then
 * the transaction's activity tap, if the store has one (outgoing webhooks), in the same transaction.
 */
export async function recordActivities(trx: Tx, inputs: readonly ActivityInput[]): Promise<void> {
  // Within both engines' limit on bound parameters per statement.
  for (let i = 0; i < inputs.length; i += ACTIVITY_ROWS_PER_INSERT)
    await insertActivities(trx, inputs.slice(i, i + ACTIVITY_ROWS_PER_INSERT));
  if (inputs.length > 0) await activityTapOf(trx)?.(trx, inputs);
}

const ACTIVITY_ROWS_PER_INSERT = 500;

async function insertActivities(trx: Tx, inputs: readonly ActivityInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const params: unknown[] = [];
  for (const a of inputs)
    params.push(
      activityId(),
      a.workspaceId,
      a.personPid,
      a.identifiers ? toJson(a.identifiers) : null,
      a.type,
      a.name ?? null,
      a.data === undefined ? null : toJson(a.data),
      a.source,
      a.deliveryId ?? null,
      a.deliveryType ?? null,
      a.timestamp,
      0,
    );
  await executeLater(trx, INSERT.get(inputs.length), params);
}
