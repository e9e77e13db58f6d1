import { activityId } from '../activities/activities.js';
import { objectActivityTapOf } from '../activities/activity-tap.js';
import { execute, placeholders, StatementsByCount } from '../sql.js';
import { toJson, type Tx } from '../store.js';

/**
 * An object's history. `type` is one of `create`, `attribute_change`, `failed_attribute_change`,
 * `delete`, `add_relationship`, `delete_relationship`, `relationship_attribute_change` (the App
 * API shows them as Customer.io names them: `_o:<type id>:<type>`). `data` by type:
 * - `create`: `{ identifiers: {object_type_id, object_id, cio_object_id} }`
 * - `attribute_change`: `{ <attr>: {from, to} }`; `failed_attribute_change`: `{ reason, attributes? }`
 * - `add_relationship` / `delete_relationship` / `relationship_attribute_change`:
 *   `{ person: {id, email, cio_id}, relationship_attributes? , changes? }`
 * - `delete`: `{ relationships: <count removed> }`
 */
export interface ObjectActivityInput {
  workspaceId: number;
  objectOid: number;
  type: string;
  name?: string | null;
  data?: unknown;
  source: string;
  timestamp: number;
  /** The object's identifiers, for the activity tap (outgoing webhooks); not stored. */
  identifiers?: { object_type_id: string; object_id: string; cio_object_id: string };
}

const ROWS_PER_INSERT = 500;
const INSERT = new StatementsByCount(
  (n) =>
    `insert into object_activities (id, workspace_id, object_oid, type, name, data, source, timestamp)
     values ${Array.from({ length: n }, () => `(${placeholders(8)})`).join(', ')}`,
);

export async function recordObjectActivities(trx: Tx, inputs: readonly ObjectActivityInput[]): Promise<void> {
  for (let i = 0; i < inputs.length; i += ROWS_PER_INSERT) {
    const chunk = inputs.slice(i, i + ROWS_PER_INSERT);
    const params: unknown[] = [];
    for (const a of chunk)
      params.push(
        activityId(),
        a.workspaceId,
        a.objectOid,
        a.type,
        a.name ?? null,
        a.data === undefined ? null : toJson(a.data),
        a.source,
        a.timestamp,
      );
    await execute(trx, INSERT.get(chunk.length), params);
  }
  if (inputs.length > 0) await objectActivityTapOf(trx)?.(trx, inputs);
}
