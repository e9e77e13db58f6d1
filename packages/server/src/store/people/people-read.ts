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

/** Person ids by identifier value (`email_norm` values lower-cased), looked up 500 at a time. */
export async function pidsByIdentifier(
  db: Tx,
  workspaceId: number,
  column: 'id' | 'email_norm',
  values: readonly string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < values.length; i += 500) {
    const rows = await db
      .selectFrom('people')
      .select(['pid', column])
      .where('workspace_id', '=', workspaceId)
      .where(column, 'in', values.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(String((r as Record<string, unknown>)[column]), Number(r.pid));
  }
  return found;
}
