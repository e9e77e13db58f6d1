import { ulid } from '../../lib/ulid.js';
import { executeLater, placeholders, StatementsByCount } from '../sql.js';
import { toJson, type Tx } from '../store.js';
import { activityTapOf } from './activity-tap.js';

/**
 * Every kind of change Roster records in a person's history. The App API returns these as
 * activities (docs/app-api.md "Activities") and the dashboard draws its timeline from them.
 *
 * `data` by type:
 * - `profile_create`: `{ identifiers: {id, email, cio_id} }` (stored as NULL data when these are the
 *   row's own identifiers; a new person's with their first attribute_change is one `create_change` row)
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

/**
 * How a new person's first two activities are stored: one row of this type carries the
 * `profile_create` and the `attribute_change` of the identify that created them (the identify
 * scenario's history went from two rows to one). Its `data` is `{ <attr>: <to> }` (every `from` of a
 * new person is absent), its `name` the attribute_change's name. Reads show it as the two
 * activities it stands for (`splitStoredActivity`): the profile_create with the row's id, the
 * attribute_change with the next id (`successorId`), which the writer reserves.
 */
export const CREATE_CHANGE = 'create_change';

/** The stored types a listed activity type is found in. */
export function storedTypes(type: string): string[] {
  if (type === 'profile_create' || type === 'attribute_change') return [type, CREATE_CHANGE];
  if (type === CREATE_CHANGE) return [];
  return [type];
}

const ULID_DIGITS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The ULID right after `id` (base-32 increment): the id of a stored create_change's second activity. */
export function successorId(id: string): string {
  const digits = id.split('');
  for (let i = digits.length - 1; i >= 0; i--) {
    const d = ULID_DIGITS.indexOf(digits[i]!);
    if (d < 31) {
      digits[i] = ULID_DIGITS[d + 1]!;
      return digits.join('');
    }
    digits[i] = '0';
  }
  return digits.join('');
}

/**
 * Types whose rows leave `customer_identifiers` out (NULL) when the person's identifiers are those
 * in effect: the high-volume rows of identifies and events. Reads take them from the person's
 * nearest earlier row that records them (`profile_create`, an identifier change, ...): see
 * store/activities/activities-read.ts. Every other type records them, as does a row of nobody.
 */
const IDENTIFIERS_IMPLIED = new Set<ActivityType>(['attribute_change', 'event', 'page', 'screen']);

function impliesIdentifiers(a: ActivityInput): boolean {
  if (a.personPid === null || !IDENTIFIERS_IMPLIED.has(a.type)) return false;
  if (a.type !== 'attribute_change') return true;
  // A change of identifiers records the new ones: later rows resolve to them.
  const data = a.data as Record<string, unknown> | null | undefined;
  return !(data && ('id' in data || 'email' in data || 'cio_id' in data));
}

function sameIdentifiers(a: PersonIdentifiers | null, b: PersonIdentifiers | null): boolean {
  return a !== null && b !== null && a.id === b.id && a.email === b.email && a.cio_id === b.cio_id;
}

/** A profile_create whose data is `{identifiers}` of its own row: stored as NULL data, shown as before. */
function impliedCreateData(a: ActivityInput): boolean {
  if (a.type !== 'profile_create') return false;
  const created = a.data as { identifiers?: PersonIdentifiers } | null | undefined;
  return (
    !!created &&
    Object.keys(created).length === 1 &&
    sameIdentifiers(created.identifiers ?? null, a.identifiers)
  );
}

/**
 * `{ <attr>: <to> }` when `b` is the attribute_change that belongs in one stored row with the
 * profile_create `a` (same person, write, time and identifiers; every `from` absent), else undefined.
 */
function createChange(a: ActivityInput, b: ActivityInput | undefined): Record<string, unknown> | undefined {
  if (!b || a.type !== 'profile_create' || b.type !== 'attribute_change') return undefined;
  if (a.personPid === null || a.personPid !== b.personPid || a.workspaceId !== b.workspaceId)
    return undefined;
  if (a.source !== b.source || a.timestamp !== b.timestamp) return undefined;
  if (!sameIdentifiers(a.identifiers, b.identifiers) || !impliedCreateData(a)) return undefined;
  if (typeof b.data !== 'object' || b.data === null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [attr, change] of Object.entries(b.data as Record<string, { from?: unknown; to?: unknown }>)) {
    if (typeof change !== 'object' || change === null) return undefined;
    if (change.from !== null && change.from !== undefined) return undefined;
    if (change.to === undefined) return undefined;
    out[attr] = change.to;
  }
  return out;
}

const INSERT = new StatementsByCount(
  (n) =>
    `insert into activities (id, workspace_id, person_pid, customer_identifiers, type, name, data, source, delivery_id, delivery_type, timestamp, deleted)
     values ${Array.from({ length: n }, () => `(${placeholders(12)})`).join(', ')}`,
);

/**
 * Records activities inside the caller's transaction, so history commits with the change; then
 * the transaction's activity tap, if the store has one (outgoing webhooks), in the same transaction.
 * The tap sees the activities as given; the rows are smaller (see CREATE_CHANGE, IDENTIFIERS_IMPLIED).
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
  let rows = 0;
  for (let i = 0; i < inputs.length; i++) {
    const a = inputs[i]!;
    const merged = createChange(a, inputs[i + 1]);
    const id = activityId();
    if (merged) {
      // Reserves successorId(id) for the attribute_change: this process's next id sorts above it.
      activityId();
      const change = inputs[++i]!;
      params.push(
        id,
        a.workspaceId,
        a.personPid,
        toJson(a.identifiers),
        CREATE_CHANGE,
        change.name ?? null,
        toJson(merged),
        a.source,
        null,
        null,
        a.timestamp,
        0,
      );
    } else
      params.push(
        id,
        a.workspaceId,
        a.personPid,
        a.identifiers && !impliesIdentifiers(a) ? toJson(a.identifiers) : null,
        a.type,
        a.name ?? null,
        a.data === undefined || impliedCreateData(a) ? null : toJson(a.data),
        a.source,
        a.deliveryId ?? null,
        a.deliveryType ?? null,
        a.timestamp,
        0,
      );
    rows++;
  }
  await executeLater(trx, INSERT.get(rows), params);
}
