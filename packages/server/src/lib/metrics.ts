/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms with
 * labels. One per server, made by `createMetrics` in the composition root and handed to what
 * records (the write pipeline's segment timing, the HTTP hooks, `/metrics`):
 *
 * @example metrics.observe('roster_segment_evaluation_seconds', seconds)
 * @example metrics.inc('roster_store_errors_total', { kind: 'sqlite' })
 *
 * Names not defined up front are created on first use (a counter for `inc`, a histogram with the
 * default buckets for `observe`, a gauge for `set`).
 */

export type Labels = Record<string, string>;
type Kind = 'counter' | 'gauge' | 'histogram';

interface Family {
  name: string;
  help: string;
  kind: Kind;
  buckets: number[];
  /** label key (sorted `k="v"` pairs) → value (counter/gauge) or histogram state. */
  series: Map<string, { labels: Labels; value: number; counts?: number[]; sum?: number }>;
}

export const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

type Series = Family['series'] extends Map<string, infer S> ? S : never;

function record(f: Family, s: Series, value: number): void {
  s.value += 1;
  s.sum! += value;
  for (let i = 0; i < f.buckets.length; i++) if (value <= f.buckets[i]!) s.counts![i]! += 1;
}

export interface CounterSeries {
  inc(by?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  define(name: string, kind: Kind, help: string, buckets: number[] = DEFAULT_BUCKETS): this {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    const existing = this.families.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new Error(`metric ${name} is a ${existing.kind}, not a ${kind}`);
      return this;
    }
    this.families.set(name, {
      name,
      help,
      kind,
      buckets: [...buckets].sort((a, b) => a - b),
      series: new Map(),
    });
    return this;
  }

  private family(name: string, kind: Kind): Family {
    if (!this.families.has(name)) this.define(name, kind, name);
    const f = this.families.get(name)!;
    if (f.kind !== kind) throw new Error(`metric ${name} is a ${f.kind}, not a ${kind}`);
    return f;
  }

  private series(f: Family, labels: Labels) {
    const key = labelText(labels);
    let s = f.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, value: 0 };
      if (f.kind === 'histogram') {
        s.counts = f.buckets.map(() => 0);
        s.sum = 0;
      }
      f.series.set(key, s);
    }
    return s;
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    this.series(this.family(name, 'counter'), labels).value += by;
  }

  set(name: string, value: number, labels: Labels = {}): void {
    this.series(this.family(name, 'gauge'), labels).value = value;
  }

  /** Replaces every series of a gauge (for values read fresh at each scrape). */
  reset(name: string): void {
    this.families.get(name)?.series.clear();
  }

  observe(name: string, value: number, labels: Labels = {}): void {
    const f = this.family(name, 'histogram');
    record(f, this.series(f, labels), value);
  }

  /**
   * One counter series, for a caller that counts into it often (the HTTP hooks): `inc` without
   * finding the series by its labels each time. Counters are never reset, so it stays current.
   */
  counter(name: string, labels: Labels): CounterSeries {
    const s = this.series(this.family(name, 'counter'), labels);
    return {
      inc: (by = 1) => {
        s.value += by;
      },
    };
  }

  /** One histogram series, as `counter`. */
  histogram(name: string, labels: Labels): HistogramSeries {
    const f = this.family(name, 'histogram');
    const s = this.series(f, labels);
    return { observe: (value) => record(f, s, value) };
  }

  /** Times `fn` into the histogram `name`, in seconds. */
  async time<T>(name: string, fn: () => Promise<T>, labels: Labels = {}): Promise<T> {
    const start = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.observe(name, Number(process.hrtime.bigint() - start) / 1e9, labels);
    }
  }

  /** The exposition text (`Content-Type: text/plain; version=0.0.4`). */
  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.kind}`);
      for (const s of f.series.values()) {
        if (f.kind !== 'histogram') {
          out.push(`${f.name}${labelText(s.labels)} ${num(s.value)}`);
          continue;
        }
        f.buckets.forEach((b, i) =>
          out.push(`${f.name}_bucket${labelText(s.labels, ['le', num(b)])} ${s.counts![i]}`),
        );
        out.push(`${f.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.value}`);
        out.push(`${f.name}_sum${labelText(s.labels)} ${num(s.sum!)}`);
        out.push(`${f.name}_count${labelText(s.labels)} ${s.value}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

/** A registry with Roster's own metric families defined. */
export function createMetrics(): MetricsRegistry {
  return new MetricsRegistry()
    .define(
      'roster_http_requests_total',
      'counter',
      'HTTP requests answered, by method, route pattern and status code.',
    )
    .define(
      'roster_http_request_duration_seconds',
      'histogram',
      'HTTP request latency, by method and route pattern.',
    )
    .define(
      'roster_segment_evaluation_seconds',
      'histogram',
      'Time to re-evaluate one person against the dynamic segments inside a write.',
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    )
    .define(
      'roster_store_errors_total',
      'counter',
      'Database errors seen by requests and by the metrics scrape, by engine.',
    )
    .define(
      'roster_outbox_pending',
      'gauge',
      'Outbox rows waiting to be delivered (status pending), by kind.',
    )
    .define(
      'roster_campaign_sends_pending',
      'gauge',
      'Campaign sends decided by a write and not yet rendered into messages.',
    )
    .define(
      'roster_queue_due',
      'gauge',
      'Pending outbox rows whose run time has come: the delivery queue depth.',
    )
    .define(
      'roster_webhook_backlog',
      'gauge',
      'Webhook deliveries due (waiting behind an older one of the same person included) plus changes not yet fanned out to subscriptions.',
    )
    .define(
      'roster_webhook_oldest_due_age_seconds',
      'gauge',
      'How long ago the oldest due webhook delivery (or change not yet fanned out) was queued; 0 when none.',
    )
    .define(
      'roster_pipelines_events_total',
      'counter',
      'Pipelines API events by outcome: applied, duplicate (messageId seen), noted (accepted, not applied), dropped.',
    )
    .define(
      'roster_pipelines_requests_refused_total',
      'counter',
      'Pipelines API requests refused whole, by reason: unauthorized, bad_body, too_large, overloaded, strict.',
    )
    .define('roster_store_up', 'gauge', '1 when the store answered the scrape query, else 0.')
    .define('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.')
    .define('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, bytes.')
    .define(
      'process_start_time_seconds',
      'gauge',
      'Start time of the process since the unix epoch, seconds.',
    );
}
