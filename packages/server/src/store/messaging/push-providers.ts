import { parseJson, toJson, type Tx } from '../store.js';
/**
 * A provider's credentials as stored: its kind and configuration, which the store keeps as JSON
 * without looking inside (messaging's `ProviderSettings` says what each kind holds).
 */
export interface StoredProviderSettings {
  kind: string;
  config: unknown;
}

export interface ProviderRow<S extends StoredProviderSettings = StoredProviderSettings> {
  id: number;
  workspaceId: number;
  /** '' = the workspace default; otherwise the bundle id / package name it serves. */
  appIdentifier: string;
  updatedAt: number;
  settings: S;
}

/**
 * Creates or replaces a workspace's credentials for one provider (and optionally one app), e.g.
 * `savePushProvider(trx, ws, { kind: 'fcm', config: { serviceAccount } }, '', now)`.
 */
export async function savePushProvider(
  trx: Tx,
  workspaceId: number,
  settings: StoredProviderSettings,
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
  kind: string,
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

export async function listPushProviders<S extends StoredProviderSettings = StoredProviderSettings>(
  trx: Tx,
  workspaceId: number,
): Promise<Array<ProviderRow<S>>> {
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
    settings: { kind: r.kind, config: parseJson(r.config) } as S,
  }));
}
