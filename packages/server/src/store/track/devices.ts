import type { Selectable } from 'kysely';
import type { DevicesTable } from '../schema/index.js';
import { toJson, type Tx } from '../store.js';
import { parseDict, type AttrMap } from './people.js';

export interface DeviceRow {
  token: string;
  personPid: number;
  platform: string;
  lastUsed: number;
  attributes: AttrMap;
  lastStatus: string;
}

function toDevice(row: Selectable<DevicesTable>): DeviceRow {
  return {
    token: row.token,
    personPid: row.person_pid,
    platform: row.platform,
    lastUsed: row.last_used,
    attributes: parseDict(row.attributes),
    lastStatus: row.last_status,
  };
}

export async function findDevice(
  trx: Tx,
  workspaceId: number,
  token: string,
): Promise<DeviceRow | undefined> {
  const row = await trx
    .selectFrom('devices')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('token', '=', token)
    .executeTakeFirst();
  return row && toDevice(row);
}

export interface DeviceWrite {
  personPid: number;
  platform: string;
  lastUsed: number;
  attributes: AttrMap;
}

/** Inserts or rewrites the device; re-adding resets the read-only status (docs/track-api.md §5). */
export async function upsertDevice(
  trx: Tx,
  workspaceId: number,
  token: string,
  d: DeviceWrite,
  now: number,
  exists: boolean,
): Promise<void> {
  if (exists) {
    await trx
      .updateTable('devices')
      .set({
        person_pid: d.personPid,
        platform: d.platform,
        last_used: d.lastUsed,
        attributes: toJson(d.attributes),
        last_status: '',
        bounce_count: 0,
        updated_at: now,
      })
      .where('workspace_id', '=', workspaceId)
      .where('token', '=', token)
      .execute();
    return;
  }
  await trx
    .insertInto('devices')
    .values({
      workspace_id: workspaceId,
      token,
      person_pid: d.personPid,
      platform: d.platform,
      last_used: d.lastUsed,
      attributes: toJson(d.attributes),
      last_status: '',
      bounce_count: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export async function deleteDevice(trx: Tx, workspaceId: number, token: string): Promise<void> {
  await trx
    .deleteFrom('devices')
    .where('workspace_id', '=', workspaceId)
    .where('token', '=', token)
    .execute();
}

export async function moveDevices(
  trx: Tx,
  workspaceId: number,
  fromPid: number,
  toPid: number,
  now: number,
): Promise<number> {
  const r = await trx
    .updateTable('devices')
    .set({ person_pid: toPid, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', fromPid)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
