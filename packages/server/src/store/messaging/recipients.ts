import type { PersonIdentifiers } from '../activities/activities.js';
import { parseJson, type Tx } from '../store.js';

export interface Recipient {
  pid: number;
  identifiers: PersonIdentifiers;
  attributes: Record<string, unknown>;
  unsubscribed: boolean;
}

export interface PushDevice {
  token: string;
  /** Lower-cased: the iOS SDK sends `iOS` (docs/track-api.md §5). */
  platform: string;
  lastUsed: number;
  lastStatus: string;
  attributes: Record<string, unknown>;
}

export async function loadRecipient(
  trx: Tx,
  workspaceId: number,
  pid: number,
): Promise<Recipient | undefined> {
  const row = await trx
    .selectFrom('people')
    .select(['pid', 'id', 'email', 'cio_id', 'attributes', 'unsubscribed'])
    .where('workspace_id', '=', workspaceId)
    .where('pid', '=', pid)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    pid: row.pid,
    identifiers: { id: row.id, email: row.email, cio_id: row.cio_id },
    attributes: parseJson<Record<string, unknown>>(row.attributes) ?? {},
    unsubscribed: row.unsubscribed !== 0,
  };
}

/**
 * The devices a send's `to` names (docs/messaging.md "`POST /v1/send/push`", step 5): `all`,
 * `last_used` (greatest `last_used`), or one token of this person's. Suppressed devices are
 * returned too; `queuePush` skips them.
 */
export async function selectPushDevices(
  trx: Tx,
  workspaceId: number,
  pid: number,
  to: string = 'all',
): Promise<PushDevice[]> {
  let q = trx
    .selectFrom('devices')
    .select(['token', 'platform', 'last_used', 'last_status', 'attributes'])
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', pid);
  if (to !== 'all' && to !== 'last_used') q = q.where('token', '=', to);
  const rows = await q.orderBy('last_used', 'desc').orderBy('token').execute();
  const devices = rows.map((r) => ({
    token: r.token,
    platform: r.platform.toLowerCase(),
    lastUsed: r.last_used,
    lastStatus: r.last_status,
    attributes: parseJson<Record<string, unknown>>(r.attributes) ?? {},
  }));
  return to === 'last_used' ? devices.slice(0, 1) : devices;
}
