import { sql } from 'kysely';
import { recordActivities, type PersonIdentifiers } from '../activities/activities.js';
import type { Tx } from '../store.js';

/** Device `_last_status` values (docs/messaging.md "Messages and the status lifecycle"). */
export type DeviceStatus = '' | 'sent' | 'bounced' | 'suppressed';

/** Two consecutive bounces suppress a device: "We will stop attempting to send". */
export const SUPPRESS_AFTER_BOUNCES = 2;

export interface DeviceRef {
  workspaceId: number;
  token: string;
  personPid: number;
}

export interface DeviceSnapshot {
  personPid: number;
  platform: string;
  lastUsed: number;
  lastStatus: string;
  bounceCount: number;
  attributes: unknown;
}

export async function readDevice(
  trx: Tx,
  workspaceId: number,
  token: string,
): Promise<DeviceSnapshot | undefined> {
  const row = await trx
    .selectFrom('devices')
    .select(['person_pid', 'platform', 'last_used', 'last_status', 'bounce_count', 'attributes'])
    .where('workspace_id', '=', workspaceId)
    .where('token', '=', token)
    .executeTakeFirst();
  return (
    row && {
      personPid: row.person_pid,
      platform: row.platform,
      lastUsed: row.last_used,
      lastStatus: row.last_status,
      bounceCount: row.bounce_count,
      attributes: row.attributes,
    }
  );
}

/** The push went out: status `sent`, and the run of bounces is over. Returns the new status. */
export async function markDeviceSent(trx: Tx, d: DeviceRef, now: number): Promise<DeviceStatus> {
  await trx
    .updateTable('devices')
    .set({ last_status: 'sent', bounce_count: 0, updated_at: now })
    .where('workspace_id', '=', d.workspaceId)
    .where('token', '=', d.token)
    .where('person_pid', '=', d.personPid)
    .execute();
  return 'sent';
}

/**
 * One more bounce, counted in SQL so two results for one device committing concurrently both count;
 * the second consecutive bounce suppresses the device.
 */
export async function markDeviceBounced(
  trx: Tx,
  d: DeviceRef,
  now: number,
): Promise<DeviceStatus | undefined> {
  const row = await trx
    .updateTable('devices')
    .set({
      bounce_count: sql<number>`bounce_count + 1`,
      last_status: sql<string>`case when bounce_count + 1 >= ${SUPPRESS_AFTER_BOUNCES} then 'suppressed' else 'bounced' end`,
      updated_at: now,
    })
    .where('workspace_id', '=', d.workspaceId)
    .where('token', '=', d.token)
    .where('person_pid', '=', d.personPid)
    .returning('last_status')
    .executeTakeFirst();
  return row?.last_status as DeviceStatus | undefined;
}

/**
 * The provider says the token is dead: the device is deleted from the person (Customer.io does so
 * since 2023-01-31), with a `device_change` activity so the history says why it went.
 */
export async function deleteUnregisteredDevice(
  trx: Tx,
  d: DeviceRef & { platform: string; identifiers: PersonIdentifiers | null },
  reason: string,
  now: number,
): Promise<boolean> {
  const res = await trx
    .deleteFrom('devices')
    .where('workspace_id', '=', d.workspaceId)
    .where('token', '=', d.token)
    .where('person_pid', '=', d.personPid)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) return false;
  await recordActivities(trx, [
    {
      workspaceId: d.workspaceId,
      personPid: d.personPid,
      identifiers: d.identifiers,
      type: 'device_change',
      name: d.token,
      data: { action: 'deleted', token: d.token, platform: d.platform, reason: `push provider: ${reason}` },
      source: 'system',
      timestamp: now,
    },
  ]);
  return true;
}
