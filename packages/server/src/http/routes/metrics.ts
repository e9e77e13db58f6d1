import { timingSafeEqual, createHash } from 'node:crypto';
import { TextBody } from '@roster/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteSchema } from '../route-schema.js';
import type { Services } from '../../services/services.js';
import { HttpError } from '../error-handler.js';
import type { CounterSeries, HistogramSeries } from '../../lib/metrics.js';

/**
 * Counts and times one answered request (`roster_http_requests_total`, `…_duration_seconds`):
 * `route` is the route's pattern, `t0` when it arrived (`process.hrtime.bigint()`).
 */
export type RequestRecorder = (method: string, route: string, status: number, t0: bigint | undefined) => void;

export interface MetricsOptions {
  /** Bearer token required on `GET /metrics` (ROSTER_METRICS_TOKEN); unset = open. */
  token?: string | undefined;
}

/** A database error (SQLite or PostgreSQL), as opposed to a refused request. */
export function isStoreError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; severity?: unknown; name?: unknown };
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) return true;
  if (typeof e.severity === 'string' && typeof e.code === 'string') return true; // pg DatabaseError
  return (
    e.name === 'SqliteError' ||
    (typeof e.code === 'string' && ['ECONNREFUSED', 'ECONNRESET', '57P01'].includes(e.code))
  );
}

function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/**
 * `GET /metrics` (Prometheus text format) and the hooks that feed it: every answered request is
 * counted by method, route pattern (`/v1/customers/:customer_id`, never the raw URL, so label
 * cardinality stays bounded) and status, and timed into a histogram; database errors are counted.
 * Segment evaluation is timed by the write pipeline itself (`createServices`), into the same
 * registry (`services.metrics`). Outbox and queue depths are read from the store at each scrape.
 * Register before the routes.
 */
export function registerMetrics(
  app: FastifyInstance,
  services: Services,
  options: MetricsOptions = {},
): RequestRecorder {
  const { token } = options;
  const { metrics } = services;
  const started = new WeakMap<FastifyRequest, bigint>();
  metrics.inc('roster_store_errors_total', { engine: services.status.engine }, 0);

  // The series of each method, route and status, found once (building a series' label key sorts
  // and escapes its labels); bounded, since routes are patterns and statuses few.
  const series = new Map<string, { count: CounterSeries; time: HistogramSeries }>();
  const seriesOf = (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let s = series.get(key);
    if (!s) {
      s = {
        count: metrics.counter('roster_http_requests_total', { method, route, status: String(status) }),
        time: metrics.histogram('roster_http_request_duration_seconds', { method, route }),
      };
      if (series.size < 10_000) series.set(key, s);
    }
    return s;
  };
  // Callback hooks, not async ones: they run on every request, and a promise each costs more
  // than what they record.
  app.addHook('onRequest', (request, _reply, done) => {
    started.set(request, process.hrtime.bigint());
    done();
  });
  const record: RequestRecorder = (method, route, status, t0) => {
    const s = seriesOf(method, route, status);
    s.count.inc();
    if (t0 !== undefined) s.time.observe(Number(process.hrtime.bigint() - t0) / 1e9);
  };
  app.addHook('onResponse', (request, reply, done) => {
    record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, started.get(request));
    done();
  });
  app.addHook('onError', (_request, _reply, err, done) => {
    if (isStoreError(err)) metrics.inc('roster_store_errors_total', { engine: services.status.engine });
    done();
  });

  const schema: RouteSchema = {
    summary: 'Prometheus metrics (Bearer ROSTER_METRICS_TOKEN when set)',
    response: { 200: { content: { 'text/plain': { schema: TextBody } } } },
  };
  app.get('/metrics', { schema }, async (request, reply) => {
    if (token) {
      const header = request.headers.authorization ?? '';
      const m = /^Bearer\s+(.+)$/i.exec(header);
      if (!m || !sameSecret(m[1]!.trim(), token))
        throw new HttpError(401, 'a bearer token is required for /metrics', undefined, 'unauthorized', {
          'www-authenticate': 'Bearer realm="metrics"',
        });
    }
    await collectStoreGauges(services);
    const mem = process.memoryUsage();
    metrics.set('process_resident_memory_bytes', mem.rss);
    metrics.set('nodejs_heap_used_bytes', mem.heapUsed);
    metrics.set('process_start_time_seconds', Math.round(Date.now() / 1000 - process.uptime()));
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render());
  });
  return record;
}

async function collectStoreGauges(services: Services): Promise<void> {
  const { metrics } = services;
  try {
    const depth = await services.status.outboxDepth(Date.now());
    metrics.reset('roster_outbox_pending');
    let due = 0;
    for (const r of depth) {
      metrics.set('roster_outbox_pending', r.pending, { kind: r.kind });
      due += r.due;
    }
    if (depth.length === 0) metrics.set('roster_outbox_pending', 0, { kind: 'push' });
    metrics.set('roster_queue_due', due);
    const nowMs = Date.now();
    const hooks = await services.status.webhookBacklog(nowMs);
    metrics.set('roster_webhook_backlog', hooks.due + hooks.queuedEvents);
    metrics.set(
      'roster_webhook_oldest_due_age_seconds',
      hooks.oldestMs === null ? 0 : Math.max(0, Math.round((nowMs - hooks.oldestMs) / 1000)),
    );
    metrics.set('roster_campaign_sends_pending', await services.status.campaignSendsPending());
    metrics.set('roster_store_up', 1);
  } catch (err) {
    metrics.set('roster_store_up', 0);
    if (isStoreError(err)) metrics.inc('roster_store_errors_total', { engine: services.status.engine });
  }
}
