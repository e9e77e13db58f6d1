import type { AppCustomer, AppDevice, AppIdentifiers } from '@roster/protocol';
import { parseJson } from '../../store/store.js';
import type { DeviceRow, PersonRow } from '../../store/people/people-read.js';
import { attributesText } from './attribute-text.js';

export function identifiersOf(p: {
  id: string | null;
  email: string | null;
  cio_id: string;
}): AppIdentifiers {
  return { id: p.id, email: p.email, cio_id: p.cio_id };
}

export function deviceView(d: DeviceRow): AppDevice {
  const attributes = attributesText({
    ...parseJson<Record<string, unknown>>(d.attributes),
    _last_status: d.last_status,
  });
  // `_last_status` is always present, "" for an unused device (docs/track-api.md §5).
  attributes._last_status = d.last_status;
  return { id: d.token, platform: d.platform, last_used: Number(d.last_used), attributes };
}

/**
 * The `customer` object (docs/app-api.md "People"): identifiers folded into `attributes`, every
 * value a string, one `timestamps` entry per attribute shown (its last change; the person's
 * creation time when the store has none).
 */
export function customerView(p: PersonRow, devices: readonly DeviceRow[]): AppCustomer {
  const custom = parseJson<Record<string, unknown>>(p.attributes) ?? {};
  const attributes = attributesText({ ...custom, id: p.id, email: p.email, cio_id: p.cio_id });
  const ts = parseJson<Record<string, number>>(p.attr_ts) ?? {};
  const timestamps: Record<string, number> = {};
  for (const key of Object.keys(attributes)) timestamps[key] = Number(ts[key] ?? p.created_at);
  if (p.unsubscribed && ts.unsubscribed !== undefined) timestamps.unsubscribed = Number(ts.unsubscribed);
  return {
    id: p.id,
    identifiers: identifiersOf(p),
    attributes,
    timestamps,
    unsubscribed: p.unsubscribed === 1,
    devices: devices.map(deviceView),
  };
}
