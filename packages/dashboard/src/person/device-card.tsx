import type { AppDevice } from '@roster/protocol';
import { Badge } from '../components/badge';
import { TimeAgo } from '../components/time-ago';
import { Token } from '../components/token';
import { platformName } from '../models/format';
import { statusTone } from '../models/status';

const KNOWN: Array<[string, string]> = [
  ['device_os', 'OS'],
  ['device_model', 'Model'],
  ['app_version', 'App version'],
];
const SHOWN = new Set(['device_os', 'device_model', 'app_version', 'push_enabled', '_last_status']);

/** A device: platform, token (shortened), what it runs, push state, last use and last status. */
export function DeviceCard({ device }: { device: AppDevice }) {
  const a = device.attributes ?? {};
  const status = a._last_status ?? '';
  return (
    <li class="device">
      <div class="device-head">
        <strong class="platform">{platformName(device.platform)}</strong>
        <Token value={device.id} keep={20} />
      </div>
      <dl class="kv compact">
        {KNOWN.filter(([k]) => a[k]).map(([k, label]) => [
          <dt key={`k-${k}`}>{label}</dt>,
          <dd key={`v-${k}`}>{a[k]}</dd>,
        ])}
        <dt>Push enabled</dt>
        <dd>
          {a.push_enabled ? (
            <Badge tone={statusTone(a.push_enabled)}>{a.push_enabled}</Badge>
          ) : (
            <span class="muted">not said</span>
          )}
        </dd>
        <dt>Last used</dt>
        <dd>
          <TimeAgo unix={device.last_used} />
        </dd>
        <dt>Last status</dt>
        <dd>
          <Badge tone={statusTone(status)}>{status || 'unused'}</Badge>
        </dd>
        {Object.entries(a)
          .filter(([k]) => !SHOWN.has(k))
          .map(([k, v]) => [<dt key={`k-${k}`}>{k}</dt>, <dd key={`v-${k}`}>{v}</dd>])}
      </dl>
    </li>
  );
}
