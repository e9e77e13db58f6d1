import type { Insertable, Selectable } from 'kysely';
import type { CampaignsTable } from '../schema/index.js';
import type { Tx } from '../store.js';
import { knownToTriggerNothing } from '../track/events.js';
import { queryRows, statement } from '../sql.js';

export type CampaignRow = Selectable<CampaignsTable>;

/** A campaign's definition columns, JSON ones as text (`toJson`). */
export type CampaignFields = Omit<
  Insertable<CampaignsTable>,
  'id' | 'workspace_id' | 'created_at' | 'updated_at'
>;

export async function campaignsOf(db: Tx, workspaceId: number): Promise<CampaignRow[]> {
  return db
    .selectFrom('campaigns')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
}

export async function campaignById(
  db: Tx,
  workspaceId: number,
  id: number,
): Promise<CampaignRow | undefined> {
  return db
    .selectFrom('campaigns')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertCampaign(
  db: Tx,
  workspaceId: number,
  fields: CampaignFields,
  now: number,
): Promise<CampaignRow> {
  return db
    .insertInto('campaigns')
    .values({ workspace_id: workspaceId, ...fields, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateCampaign(
  db: Tx,
  workspaceId: number,
  id: number,
  fields: CampaignFields,
  now: number,
): Promise<CampaignRow> {
  return db
    .updateTable('campaigns')
    .set({ ...fields, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Active triggered campaigns started by an event of this name. None without a read when the write's
 * first statement already found that none is (PostgreSQL, store/track/events.ts).
 */
export async function campaignsTriggeredByEvent(
  db: Tx,
  workspaceId: number,
  name: string,
): Promise<CampaignRow[]> {
  if (knownToTriggerNothing(db, workspaceId, name)) return [];
  return queryRows<CampaignRow>(db, TRIGGERED_BY_EVENT, [workspaceId, name]);
}

/** Run for every stored event: SQL text, not a query built per call (store/sql.ts). */
const TRIGGERED_BY_EVENT = statement(
  `select id, workspace_id, name, type, trigger, trigger_event, trigger_segment_id, trigger_object_type, filter,
          template, transactional_message_id, action, delay_seconds, active, created_at, updated_at
     from campaigns where workspace_id = ? and trigger_event = ? and active = 1 and type = 'triggered'`,
);

/** Active triggered campaigns started by entering one of these segments. */
export async function campaignsTriggeredBySegments(
  db: Tx,
  workspaceId: number,
  segmentIds: readonly number[],
): Promise<CampaignRow[]> {
  return db
    .selectFrom('campaigns')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('trigger_segment_id', 'in', [...segmentIds])
    .where('active', '=', 1)
    .where('type', '=', 'triggered')
    .execute();
}

/** Active triggered campaigns started by a change to an object of this type. */
export async function campaignsTriggeredByObjectType(
  db: Tx,
  workspaceId: number,
  typeId: string,
): Promise<CampaignRow[]> {
  return db
    .selectFrom('campaigns')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('trigger_object_type', '=', typeId)
    .where('active', '=', 1)
    .where('type', '=', 'triggered')
    .orderBy('id')
    .execute();
}

/**
 * Records that a campaign is sending to a person for a trigger; false when it already was (the
 * dedupe key is the campaign and `triggerKey`).
 */
export async function claimCampaignSend(
  db: Tx,
  workspaceId: number,
  campaignId: number,
  triggerKey: string,
  personPid: number,
  now: number,
): Promise<boolean> {
  const ins = await db
    .insertInto('campaign_sends')
    .values({
      workspace_id: workspaceId,
      campaign_id: campaignId,
      trigger_key: triggerKey,
      person_pid: personPid,
      delivery_id: null,
      created_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(ins.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function setCampaignSendDelivery(
  db: Tx,
  workspaceId: number,
  campaignId: number,
  triggerKey: string,
  deliveryId: string,
): Promise<void> {
  await db
    .updateTable('campaign_sends')
    .set({ delivery_id: deliveryId })
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', '=', campaignId)
    .where('trigger_key', '=', triggerKey)
    .execute();
}
