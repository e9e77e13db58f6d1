import { toJson } from '../../src/store/store.js';

/** A `people` row to insert directly, as another process (or a test of the store) would. */
export function personRow(
  workspaceId: number,
  fields: {
    cio_id: string;
    id?: string | null;
    email?: string | null;
    attributes?: Record<string, unknown>;
    attrTs?: Record<string, number>;
  },
) {
  return {
    workspace_id: workspaceId,
    cio_id: fields.cio_id,
    id: fields.id ?? null,
    email: fields.email ?? null,
    email_norm: fields.email ? fields.email.toLowerCase() : null,
    attributes: toJson(fields.attributes ?? {}),
    attr_ts: toJson(fields.attrTs ?? {}),
    unsubscribed: 0,
    created_at: 1,
    updated_at: 1,
  };
}
