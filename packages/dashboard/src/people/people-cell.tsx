import type { AppCustomer, AppIdentifiers } from '@roster/protocol';
import { AttrValue } from '../components/attr-value';
import { TimeAgo } from '../components/time-ago';
import { platformName } from '../models/format';

export function PeopleCell({
  col,
  ids,
  customer,
}: {
  col: string;
  ids: AppIdentifiers;
  customer: AppCustomer | undefined;
}) {
  if (col === 'id' || col === 'email' || col === 'cio_id') {
    const v = ids[col];
    return v ? <span>{v}</span> : <span class="muted">—</span>;
  }
  if (!customer) return <span class="muted">…</span>;
  if (col === 'devices') {
    const n = customer.devices.length;
    if (!n) return <span class="muted">none</span>;
    const platforms = [...new Set(customer.devices.map((d) => platformName(d.platform)))].join(', ');
    return (
      <span>
        {n} ({platforms})
      </span>
    );
  }
  if (col === 'updated') {
    const latest = Math.max(0, ...Object.values(customer.timestamps ?? {}));
    return <TimeAgo unix={latest || null} />;
  }
  const v = customer.attributes[col];
  return v === undefined ? <span class="muted">—</span> : <AttrValue value={v} />;
}
