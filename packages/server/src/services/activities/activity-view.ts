import type { AppActivity, AppIdentifiers } from '@roster/protocol';
import { parseJson } from '../../store/store.js';
import { attributeText } from '../people/attribute-text.js';
import { storedActivities, type ActivityRow } from '../../store/activities/activities-read.js';

/** The activities a row stands for (a new person's create_change row is two), newest first. */
export function activityViews(row: ActivityRow): AppActivity[] {
  return storedActivities(row).reverse().map(activityView);
}

/**
 * An activity row as the App API shows it (docs/app-api.md "Activities"): `attribute_change` data
 * becomes `{attr: {from, to}}` with string values ("" for absent); `page` carries its name as
 * `url`; event and screen names as `name`; message activities their `delivery_id`/`delivery_type`.
 */
export function activityView(row: ActivityRow): AppActivity {
  const ids = parseJson<AppIdentifiers | null>(row.customer_identifiers) ?? {
    id: null,
    email: null,
    cio_id: '',
  };
  const identifiers: AppIdentifiers = {
    id: ids.id ?? null,
    email: ids.email ?? null,
    cio_id: ids.cio_id ?? '',
  };
  let data = parseJson<unknown>(row.data) ?? {};
  if (row.type === 'attribute_change' && typeof data === 'object' && data !== null) {
    const changes: Record<string, { from: string; to: string }> = {};
    for (const [attr, change] of Object.entries(data as Record<string, { from?: unknown; to?: unknown }>))
      changes[attr] = { from: attributeText(change?.from), to: attributeText(change?.to) };
    data = changes;
  }
  const out: AppActivity = {
    id: row.id,
    type: row.type,
    timestamp: Number(row.timestamp),
    customer_id: identifiers.id,
    customer_identifiers: identifiers,
    data,
  };
  if (row.delivery_id !== null) out.delivery_id = row.delivery_id;
  if (row.delivery_type !== null) out.delivery_type = row.delivery_type;
  if (row.name !== null) {
    if (row.type === 'page') out.url = row.name;
    else if (row.type !== 'attribute_change') out.name = row.name;
  }
  // Key order as documented: data last.
  const { data: d, ...rest } = out;
  return { ...rest, data: d };
}
