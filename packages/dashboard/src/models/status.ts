/** Colours for statuses: a delivery's metrics, a device's `_last_status`, a `true`/`false` flag. */
export type Tone = 'neutral' | 'good' | 'bad' | 'warn' | 'info';

export function statusTone(status: string | undefined): Tone {
  switch (status) {
    case 'sent':
    case 'delivered':
    case 'opened':
    case 'true':
      return 'good';
    case 'bounced':
    case 'failed':
    case 'undeliverable':
    case 'false':
      return 'bad';
    case 'suppressed':
      return 'warn';
    default:
      return 'neutral';
  }
}

const METRIC_ORDER = [
  'opened',
  'delivered',
  'sent',
  'bounced',
  'failed',
  'undeliverable',
  'dropped',
  'drafted',
  'created',
];

/** A delivery's latest metric (the one recorded last; ties go to the further along), or `queued`. */
export function latestMetric(metrics: Record<string, number> | undefined): string {
  const m = metrics ?? {};
  return METRIC_ORDER.filter((k) => m[k]).sort((a, b) => (m[b] ?? 0) - (m[a] ?? 0))[0] ?? 'queued';
}
