import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../packages/server/src/cli/config.js';
import { buildApp } from '../../packages/server/src/http/app.js';
import { openStore } from '../../packages/server/src/store/open-store.js';
import type { Store } from '../../packages/server/src/store/store.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict parser of the Prometheus text exposition format (0.0.4): HELP/TYPE once per family and
 * before its samples, valid names and label syntax, numeric values, no duplicate series, and for
 * histograms cumulative buckets ending in `le="+Inf"` equal to `_count`.
 */
function parsePrometheus(text: string): Map<string, { type: string; samples: Sample[] }> {
  const families = new Map<string, { type: string; samples: Sample[] }>();
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const seen = new Set<string>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const familyOf = (sample: string): string | undefined => {
    if (families.has(sample)) return sample;
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = sample.endsWith(suffix) ? sample.slice(0, -suffix.length) : '';
      if (base && families.get(base)?.type === 'histogram') return base;
    }
    return undefined;
  };
  for (const [i, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line === '') throw new Error(`empty ${where}`);
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) throw new Error(`bad comment ${where}`);
      const [, kind, name, rest] = m;
      if (!NAME.test(name!)) throw new Error(`bad name ${where}`);
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!))
          throw new Error(`bad type ${where}`);
        if (families.has(name!)) throw new Error(`second TYPE ${where}`);
        families.set(name!, { type: rest!, samples: [] });
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample ${where}`);
    const labels: Record<string, string> = {};
    let rest = m[3] ?? '';
    while (rest !== '') {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/.exec(rest);
      if (!l) throw new Error(`bad labels ${where}`);
      if (l[1]! in labels) throw new Error(`duplicate label ${where}`);
      labels[l[1]!] = l[2]!.replace(/\\(["\\n])/g, (_s, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(l[0].length);
    }
    const raw = m[4]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (!/^(\+Inf|-Inf|NaN|-?\d+(\.\d+)?([eE][-+]?\d+)?)$/.test(raw)) throw new Error(`bad value ${where}`);
    const family = familyOf(m[1]!);
    if (!family) throw new Error(`sample before its TYPE ${where}`);
    const key = `${m[1]}{${Object.entries(labels)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}}`;
    if (seen.has(key)) throw new Error(`duplicate series ${where}`);
    seen.add(key);
    const f = families.get(family)!;
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`negative counter ${where}`);
    f.samples.push({ name: m[1]!, labels, value });
  }
  for (const [name, f] of families) {
    if (f.type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of f.samples) {
      const { le: _le, ...rest } = s.labels;
      const k = JSON.stringify(Object.entries(rest).sort());
      series.set(k, [...(series.get(k) ?? []), s]);
    }
    for (const samples of series.values()) {
      const buckets = samples.filter((s) => s.name === `${name}_bucket`);
      const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
      if (les.at(-1) !== Infinity) throw new Error(`${name}: no +Inf bucket`);
      for (let i = 1; i < buckets.length; i++) {
        if (!(les[i]! > les[i - 1]!)) throw new Error(`${name}: buckets out of order`);
        if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${name}: buckets not cumulative`);
      }
      const count = samples.find((s) => s.name === `${name}_count`);
      if (!count || count.value !== buckets.at(-1)!.value)
        throw new Error(`${name}: +Inf bucket is not _count`);
      if (!samples.some((s) => s.name === `${name}_sum`)) throw new Error(`${name}: no _sum`);
    }
  }
  return families;
}

const CREDS = { siteId: 'siteops', apiKey: 'trk_ops_key_1', appApiKey: 'app_ops_key_0123456789' };
const basic = `Basic ${Buffer.from(`${CREDS.siteId}:${CREDS.apiKey}`).toString('base64')}`;

describe('/metrics and /openapi.json', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-ops-'));
    store = await openStore({ dataDir: dir });
    const built = await buildApp({ store });
    app = built.app;
    await built.services.workspaces.ensureDefault(CREDS);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves Prometheus text that a strict parser accepts, with the expected families', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/customers/dana%40example.com',
      headers: { authorization: basic, 'content-type': 'application/json' },
      payload: { plan: 'pro' },
    });
    expect(put.statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/v1/customers/nobody/attributes' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(res.body);
    const requests = families.get('roster_http_requests_total')!;
    expect(requests.type).toBe('counter');
    expect(requests.samples).toContainEqual({
      name: 'roster_http_requests_total',
      labels: { method: 'PUT', route: '/api/v1/customers/:identifier', status: '200' },
      value: expect.any(Number),
    });
    expect(
      requests.samples.some(
        (s) => s.labels.route === '/v1/customers/:customer_id/attributes' && s.labels.status === '401',
      ),
    ).toBe(true);
    expect(families.get('roster_http_request_duration_seconds')!.type).toBe('histogram');
    const seg = families.get('roster_segment_evaluation_seconds')!;
    expect(
      seg.samples.find((s) => s.name === 'roster_segment_evaluation_seconds_count')!.value,
    ).toBeGreaterThanOrEqual(1);
    for (const name of [
      'roster_outbox_pending',
      'roster_queue_due',
      'roster_webhook_backlog',
      'roster_webhook_oldest_due_age_seconds',
      'roster_store_up',
      'roster_store_errors_total',
    ])
      expect(families.get(name)?.samples.length, name).toBeGreaterThan(0);
    expect(families.get('roster_store_up')!.samples[0]!.value).toBe(1);
  });

  it('asks for the bearer token when ROSTER_METRICS_TOKEN is set', async () => {
    const config = resolveServeConfig({}, { ROSTER_METRICS_TOKEN: 'scrape-secret' });
    const s2 = await buildApp({ store, metricsToken: config.metricsToken });
    try {
      expect((await s2.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const wrong = await s2.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrong.statusCode).toBe(401);
      const ok = await s2.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-secret' },
      });
      expect(ok.statusCode).toBe(200);
    } finally {
      await s2.app.close();
    }
  });

  it('serves an OpenAPI 3.1 document that validates against the 3.1 schema', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const spec = res.json();
    expect(spec.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(spec);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // Bodies come from the protocol's TypeBox schemas.
    expect(
      spec.paths['/api/v1/customers/{identifier}'].put.requestBody.content['application/json'].schema,
    ).toEqual({
      $ref: '#/components/schemas/TrackIdentifyBody',
    });
    expect(spec.components.schemas.TrackIdentifyBody.type).toBe('object');
  });

  it('documents every route the app registered', async () => {
    // The app's real routes: every method printRoutes lists for a path, less the 405 answers
    // method-not-allowed.ts adds (asked with no credentials, a real route never answers 405).
    const tree = app.printRoutes({ commonPrefix: false });
    const stack: string[] = [];
    const real = new Set<string>();
    for (const line of tree.split('\n')) {
      const m = /^([│ ]*)[├└]── (.*?)(?: \(([^)]+)\))?$/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length / 4;
      stack.length = depth;
      const full = `${stack.at(-1) ?? ''}${m[2]}`;
      stack.push(full);
      if (!m[3] || full.includes('*')) continue;
      for (const method of m[3].split(', ')) {
        if (!['GET', 'PUT', 'POST', 'DELETE', 'PATCH'].includes(method)) continue;
        const url = full.replace(/:[A-Za-z0-9_]+/g, 'x');
        const r = await app.inject({ method: method as 'GET', url });
        if (r.statusCode === 405) continue;
        real.add(`${method} ${full}`);
      }
    }
    expect(real.size).toBeGreaterThan(40);
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set<string>();
    for (const [p, item] of Object.entries(spec.paths))
      for (const method of Object.keys(item))
        documented.add(`${method.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`);
    expect([...real].filter((r) => !documented.has(r)).sort()).toEqual([]);
    expect([...documented].filter((d) => !real.has(d)).sort()).toEqual([]);
  });

  it('has no route without a schema, and generates every operation from its route', async () => {
    const built = await buildApp({ store });
    try {
      expect(built.openapi.undocumented()).toEqual([]);
      interface Operation {
        summary: string;
        parameters?: Array<{ name: string; in: string }>;
        responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
      }
      const spec = (await built.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, Record<string, Operation>>;
      };
      for (const [p, item] of Object.entries(spec.paths))
        for (const [method, op] of Object.entries(item)) {
          // A summary written for the route, not its method and path.
          expect(op.summary, `${method} ${p}`).not.toMatch(/^(GET|PUT|POST|DELETE|PATCH) \//);
          expect(
            Object.keys(op.responses).some((s) => s.startsWith('2')),
            `${method} ${p}`,
          ).toBe(true);
        }
      // App API answers and query strings come from the same protocol schemas the routes use.
      const get = spec.paths['/v1/customers/{customer_id}/attributes']!.get!;
      expect(get.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(['path:customer_id', 'query:id_type']);
      expect(get.responses['200']!.content!['application/json']!.schema).toEqual({
        $ref: '#/components/schemas/GetCustomerResponse',
      });
    } finally {
      await built.app.close();
    }
  });

  it('validates App API bodies against the route schema, naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/customers/attributes',
      headers: { authorization: `Bearer ${CREDS.appApiKey}`, 'content-type': 'application/json' },
      payload: { ids: 'not-a-list' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      errors: [{ detail: expect.stringMatching(/^ids must be array/), source: { pointer: '/ids' } }],
    });
  });

  it('serves a self-contained page at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('"openapi":"3.1.0"');
    expect(res.body).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
});
