import { toJson, type Tx } from '../store.js';

export interface MetricWrite {
  workspaceId: number;
  deliveryId: string;
  metric: string;
  deviceToken: string | null;
  data: unknown;
  timestamp: number;
}

export async function insertMetric(trx: Tx, m: MetricWrite, now: number): Promise<void> {
  await trx
    .insertInto('delivery_metrics')
    .values({
      workspace_id: m.workspaceId,
      delivery_id: m.deliveryId,
      metric: m.metric,
      device_token: m.deviceToken,
      data: toJson(m.data),
      timestamp: m.timestamp,
      created_at: now,
    })
    .execute();
}

/** What earlier metrics say about a delivery: its workspace, device token and recipient. */
export async function deliveryFacts(
  trx: Tx,
  deliveryId: string,
  workspaceId: number | null,
): Promise<{ workspaceId: number | null; deviceToken: string | null; recipient: string | null }> {
  let q = trx
    .selectFrom('delivery_metrics')
    .select(['workspace_id', 'device_token', 'data'])
    .where('delivery_id', '=', deliveryId);
  if (workspaceId !== null) q = q.where('workspace_id', '=', workspaceId);
  const rows = await q.orderBy('seq').execute();
  let ws: number | null = workspaceId;
  let token: string | null = null;
  let recipient: string | null = null;
  for (const r of rows) {
    ws ??= r.workspace_id;
    token ??= r.device_token;
    const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown> | null;
    if (recipient === null && typeof data?.recipient === 'string') recipient = data.recipient;
  }
  return { workspaceId: ws, deviceToken: token, recipient };
}

/**
 * The workspaces whose stored metrics name a delivery (at most two: one is an answer, two mean
 * "ambiguous", and more need not be read).
 */
export async function metricWorkspaces(trx: Tx, deliveryId: string): Promise<number[]> {
  const rows = await trx
    .selectFrom('delivery_metrics')
    .select('workspace_id')
    .distinct()
    .where('delivery_id', '=', deliveryId)
    .where('workspace_id', 'is not', null)
    .limit(2)
    .execute();
  return rows.map((r) => Number(r.workspace_id));
}
