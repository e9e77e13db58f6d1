import { latestMetric, statusTone } from '../models/status';
import { Badge } from './badge';

/** A delivery's latest metric as a pill; the failure, or every metric's time, on hover. */
export function MessageStatus({
  metrics,
  failure,
}: {
  metrics: Record<string, number>;
  failure?: string | null;
}) {
  const latest = latestMetric(metrics);
  const times = Object.entries(metrics ?? {})
    .map(([k, v]) => `${k}: ${new Date(v * 1000).toLocaleString()}`)
    .join('\n');
  return (
    <span title={failure ?? times}>
      <Badge tone={failure ? 'bad' : statusTone(latest)}>{latest}</Badge>
    </span>
  );
}
