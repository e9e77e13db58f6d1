import type { Selectable } from 'kysely';
import type { DevicesTable, PeopleTable } from '../schema/index.js';
import type { Tx } from '../store.js';

export type PersonRow = Selectable<PeopleTable>;
export type DeviceRow = Selectable<DevicesTable>;

/** Which identifier column a lookup reads. Email values must already be lower-cased. */
export type IdentifierColumn = 'id' | 'email_norm' | 'cio_id';

/** People of a workspace whose identifier is one of `values` (at most a few hundred). */
export async function peopleByIdentifier(
  db: Tx,
  workspaceId: number,
  column: IdentifierColumn,
  values: readonly string[],
): Promise<PersonRow[]> {
  if (values.length === 0) return [];
  return db
    .selectFrom('people')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where(column, 'in', [...values])
    .execute();
}

/** Devices of the given people, most recently used first. */
export async function devicesOf(db: Tx, workspaceId: number, pids: readonly number[]): Promise<DeviceRow[]> {
  if (pids.length === 0) return [];
  return db
    .selectFrom('devices')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', 'in', [...pids])
    .orderBy('last_used', 'desc')
    .orderBy('token')
    .execute();
}
