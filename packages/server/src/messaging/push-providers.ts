import { parseJson, toJson, type Tx } from '../store/store.js';
import type { ApnsConfig } from './apns-provider.js';
import type { FcmConfig } from './fcm-provider.js';

export type ProviderSettings = { kind: 'apns'; config: ApnsConfig } | { kind: 'fcm'; config: FcmConfig };

export interface ProviderRow {
  id: number;
  workspaceId: number;
  /** '' = the workspace default; otherwise the bundle id / package name it serves. */
  appIdentifier: string;
  updatedAt: number;
  settings: ProviderSettings;
}

/**
 * Creates or replaces a workspace's credentials for one provider (and optionally one app), e.g.
 * `savePushProvider(trx, ws, { kind: 'fcm', config: { serviceAccount } }, '', now)`.
 */
export async function savePushProvider(
  trx: Tx,
  workspaceId: number,
  settings: ProviderSettings,
  appIdentifier: string,
  now: number,
): Promise<void> {
  const db = trx;
  const existing = await db
    .selectFrom('push_providers')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', settings.kind)
    .where('app_identifier', '=', appIdentifier)
    .executeTakeFirst();
  if (existing) {
    await db
      .updateTable('push_providers')
      .set({ config: toJson(settings.config), updated_at: now })
      .where('id', '=', existing.id)
      .execute();
    return;
  }
  await db
    .insertInto('push_providers')
    .values({
      workspace_id: workspaceId,
      kind: settings.kind,
      app_identifier: appIdentifier,
      config: toJson(settings.config),
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export async function deletePushProvider(
  trx: Tx,
  workspaceId: number,
  kind: 'apns' | 'fcm',
  appIdentifier: string,
): Promise<boolean> {
  const res = await trx
    .deleteFrom('push_providers')
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .where('app_identifier', '=', appIdentifier)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function listPushProviders(trx: Tx, workspaceId: number): Promise<ProviderRow[]> {
  const rows = await trx
    .selectFrom('push_providers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    workspaceId: r.workspace_id,
    appIdentifier: r.app_identifier,
    updatedAt: r.updated_at,
    settings: { kind: r.kind, config: parseJson(r.config) } as ProviderSettings,
  }));
}
