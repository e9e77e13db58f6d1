import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { rawRequest, type RawResponse } from './raw-http.js';
import { ALL_ROUTES, registeredPaths, type Route } from './routes.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const FUZZ_SEED =
  process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 20_261_128);

/**
 * Hostile input on every Track and App API route: whatever arrives, the answer is never a 5xx,
 * always JSON (204s excepted), the server keeps serving and its memory stays bounded.
 */

const SQLISH = [
  "'; drop table people; --",
  '" OR 1=1 --',
  "x') union select * from workspaces --",
  'people; delete from devices',
  '$1',
  '?',
  '\\',
];
const HOSTILE_STRINGS = [
  ...SQLISH,
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '\u0000',
  'nul\u0000inside',
  '\ud800',
  'é',
  '😀',
  'cio_',
  'cio_zz',
  'a@b.co',
  'x'.repeat(1_100),
];

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD). */
const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** Path segments, already on the wire: valid, hostile, invalid percent-encoding, invalid UTF-8. */
const segment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS).map(pct),
  fc.constantFrom(
    '%ZZ',
    '%',
    '%E0%A4%A',
    '%C0%AF',
    '%FF%FE',
    '%ED%A0%80',
    '%00',
    '..',
    '%2e%2e',
    '%2F',
    'cio_%27',
    '1e400',
    '-1',
    '0',
    '99999999999999999999999',
    'x'.repeat(3_000),
  ),
  fc.string({ unit: 'binary', maxLength: 30 }).map(pct),
  fc.stringMatching(/^[a-z0-9_@.-]{1,12}$/),
);

const queryValue = fc.oneof(
  fc.constantFrom('id', 'email', 'cio_id', 'phone', '-1', '0', '100000', 'abc', 'true', '%ZZ', '%FF', ''),
  fc.constantFrom(...SQLISH).map(pct),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'id_type',
        'limit',
        'start',
        'type',
        'name',
        'deleted',
        'customer_id',
        'email',
        'x[y]',
        '__proto__',
      ),
      queryValue,
    ),
    { maxLength: 4 },
  )
  .map((kv) => (kv.length ? `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

/** Deep nesting as text (JSON.stringify itself would overflow the stack building it). */
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number, key = 'not') => `${`{"${key}":`.repeat(n)}{}${'}'.repeat(n)}`;

/** A JSON value as text, including keys JSON.stringify would never write for us. */
const hostileKey = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 8 }));
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(...HOSTILE_STRINGS).map((s) => JSON.stringify(s)),
    fc.constantFrom('1e400', '-0', '9007199254740993', 'true', 'null', '[]', '{}', '""'),
    fc
      .array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 })
      .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    fc.array(tie('value'), { maxLength: 3 }).map((vs) => `[${vs.join(',')}]`),
    fc.constantFrom(deepArray(200), deepObject(200), deepArray(5_000), deepObject(5_000, 'and')),
  ),
})).value;

/** Route-shaped bodies: the known-good body with fields replaced by hostile values. */
function shapedBody(route: Route): fc.Arbitrary<string> {
  const good = route.body ?? {};
  const paths = fieldPaths(good);
  if (paths.length === 0) return jsonText;
  return fc.tuple(fc.constantFrom(...paths), jsonText).map(([p, v]) => replaceAt(JSON.stringify(good), p, v));
}

function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const out: string[][] = prefix.length ? [prefix] : [];
  for (const [k, v] of Object.entries(value)) out.push(...fieldPaths(v, [...prefix, k]));
  return out;
}

/** Replaces the value at `p` in the JSON text `json` with the raw text `raw`. */
function replaceAt(json: string, p: string[], raw: string): string {
  const marker = '"__ROSTER_FUZZ_MARKER__"';
  const doc = JSON.parse(json) as Record<string, unknown>;
  let node: Record<string, unknown> = doc;
  for (const k of p.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[p[p.length - 1]!] = '__ROSTER_FUZZ_MARKER__';
  return JSON.stringify(doc).replace(marker, raw);
}

function body(route: Route): fc.Arbitrary<Buffer | undefined> {
  const good = JSON.stringify(route.body ?? {});
  return fc.oneof(
    { arbitrary: shapedBody(route).map((s) => Buffer.from(s)), weight: 6 },
    { arbitrary: jsonText.map((s) => Buffer.from(s)), weight: 2 },
    // Truncated.
    {
      arbitrary: fc.nat({ max: Math.max(good.length - 1, 0) }).map((n) => Buffer.from(good.slice(0, n))),
      weight: 2,
    },
    // Invalid UTF-8 inside a JSON string and in a key.
    {
      arbitrary: fc.constantFrom(
        Buffer.concat([
          Buffer.from('{"name":"'),
          Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
          Buffer.from('","data":{}}'),
        ]),
        Buffer.concat([Buffer.from('{"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('":1}')]),
        Buffer.from('{"a":"\\ud800"}'),
        Buffer.from('{"a":"\\u0000"}'),
      ),
      weight: 1,
    },
    // Not JSON at all.
    {
      arbitrary: fc
        .constantFrom('<html>', 'a=b&c=d', '{"a":1}{"b":2}', '{"a":1,}', "{'a':1}")
        .map((s) => Buffer.from(s)),
      weight: 1,
    },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

const contentType = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  undefined,
);

/** fc.assert, with the counterexample cut short (bodies can be megabytes). */
async function assertShort(property: fc.IAsyncProperty<[unknown]>, params: fc.Parameters<[unknown]>) {
  try {
    await fc.assert(property, params);
  } catch (err) {
    const cause = (err as Error).cause as Error | undefined;
    const message = `${(err as Error).message}${cause ? `\ncaused by: ${cause.message}` : ''}`;
    throw new Error(
      message.length > 4_000 ? `${message.slice(0, 1_500)}\n…\n${message.slice(-2_500)}` : message,
    );
  }
}

/**
 * Answered without a 5xx, with a JSON body. A server that answers before reading a large body
 * (413, 415, 401) and then closes resets the connection, which can discard the answer at the
 * client (Node does no lingering close): with `mayReset`, no answer at all is accepted.
 */
function expectWellFormed(
  res: RawResponse | undefined,
  what: string,
  mayReset = false,
  nonJson = false,
): void {
  if (res === undefined && mayReset) return;
  expect(res, `${what}: no answer`).toBeDefined();
  const r = res!;
  expect(r.status, `${what}: ${r.body.toString().slice(0, 300)}`).toBeLessThan(500);
  if (r.status === 204 || r.status === 304) return;
  // /docs (HTML) and /metrics (Prometheus text) answer other types on success, never on errors.
  if (nonJson && r.status < 300) return;
  expect(r.headers['content-type'] ?? '', `${what}: ${r.status}`).toMatch(/^application\/json/);
  expect(
    () => JSON.parse(r.body.toString('utf8')),
    `${what}: ${r.body.toString().slice(0, 300)}`,
  ).not.toThrow();
}

/** Resident set size of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

it('the maintained route list matches the routes the server registers', async () => {
  const listed = [...new Set(ALL_ROUTES.map((r) => r.path))].sort();
  // A new route must be added to test/reliability/routes.ts so that the fuzz and isolation suites
  // cover it.
  expect(await registeredPaths()).toEqual(listed);
});

describe.each(engines())('hostile input on %s', (engine) => {
  let server: ServerProcess;
  let auth: Record<'track' | 'app' | 'pipelines', string>;
  /** The valid key of a route's API (open routes get the tracking key, which they ignore). */
  const validAuth = (route: Route) =>
    route.api === 'app' ? auth.app : route.api === 'pipelines' ? auth.pipelines : auth.track;
  beforeAll(async () => {
    // A write key of its own, so the Pipelines routes are fuzzed past authentication.
    const writeKey = `wk_hostile${engine}0123456789`;
    server = await startServer({ engine, env: { ROSTER_WRITE_KEY: writeKey } });
    const { siteId, apiKey, appApiKey } = server.credentials;
    auth = {
      track: `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`,
      app: `Bearer ${appApiKey}`,
      pipelines: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
    };
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  const send = (method: string, path: Buffer | string, headers: Array<[string, string]>, payload?: Buffer) =>
    rawRequest(server.url, { method, path, headers, ...(payload !== undefined ? { body: payload } : {}) });

  const authHeader = (route: Route) =>
    fc.oneof(
      // A key rotation would lock the rest of the run out: that route only gets wrong keys here.
      {
        arbitrary: fc.constant(validAuth(route)),
        weight: route.rotatesKeys ? 0 : 8,
      },
      {
        arbitrary: fc.constantFrom(
          route.api === 'app' ? auth.track : auth.app,
          'Basic',
          'Basic ' + Buffer.from(":::'; drop table people; --").toString('base64'),
          'Basic %%%',
          'Basic ' + Buffer.from('\u0000:\u0000').toString('base64'),
          'Bearer ' + SQLISH[0],
          'Bearer',
          'Bearer ' + 'k'.repeat(8_000),
          'Digest x',
          '',
        ),
        weight: 2,
      },
    );

  const request = fc.constantFrom(...ALL_ROUTES).chain((route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof(
        { arbitrary: fc.constant(route.method), weight: 9 },
        { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), weight: 1 },
      ),
      params: fc.array(segment, { minLength: 2, maxLength: 2 }),
      query,
      auth: authHeader(route),
      contentType,
      body: body(route),
    }),
  );

  it('never answers a 5xx or a non-JSON body, keeps serving and keeps its memory bounded', async () => {
    // Warm up (JIT, caches, pools) before taking the memory baseline.
    for (const route of ALL_ROUTES) {
      const path = route.path.replace(/:[a-z_]+/g, 'warm');
      await send(route.method, path, [['authorization', validAuth(route)]]);
    }
    const before = rssBytes(server.child.pid!);
    let n = 0;
    await assertShort(
      fc.asyncProperty(request, async (r) => {
        let i = 0;
        const path = r.route.path.replace(/:[a-z_]+/g, () => r.params[i++]!) + r.query;
        const headers: Array<[string, string]> = [];
        if (r.auth) headers.push(['authorization', r.auth]);
        if (r.contentType) headers.push(['content-type', r.contentType]);
        const payload = r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body;
        const res = await send(r.method, path, headers, payload);
        n++;
        if (r.method === 'HEAD') {
          expect(res?.status).toBeLessThan(500);
          return;
        }
        expectWellFormed(
          res,
          `${r.method} ${path.slice(0, 200)} [${r.contentType}] ${payload?.toString().slice(0, 200)}`,
          (payload?.length ?? 0) > 16_384,
          r.route.nonJson,
        );
      }),
      // A fixed seed keeps CI reproducible; FUZZ_SEED=random (or a number) and FUZZ_RUNS explore more.
      { numRuns: FUZZ_RUNS, endOnFailure: true, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) },
    );
    expect(n).toBeGreaterThanOrEqual(FUZZ_RUNS);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const after = rssBytes(server.child.pid!);
    expect(after - before, `RSS ${before} → ${after}`).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);

  it('answers the extremes on every route: huge bodies, deep nesting, huge headers, raw bytes', async () => {
    const huge = Buffer.from(JSON.stringify({ big: 'x'.repeat(1_200_000) }));
    // Far deeper than the ~5,000 levels that overflow the stack of a recursive walk.
    const deepArr = Buffer.from(deepArray(20_000));
    const deepObj = Buffer.from(`{"filter":${deepObject(10_000)},"batch":${deepArray(10_000)}}`);
    const deepAttr = Buffer.from(`{"attributes":${deepObject(8_000, 'a')},"data":${deepObject(8_000, 'a')}}`);
    const lying: Array<[string, string]> = [['content-length', '100']];
    for (const route of ALL_ROUTES) {
      const path = route.path.replace(/:[a-z_]+/g, 'x1');
      const a: Array<[string, string]> = [
        ['authorization', validAuth(route)],
        ['content-type', 'application/json'],
      ];
      for (const [label, payload] of [
        ['huge', huge],
        ['deep array', deepArr],
        ['deep object', deepObj],
        ['deep attributes', deepAttr],
      ] as const) {
        if (label === 'huge' && route.method === 'GET') continue; // refused before any body is read
        const method = route.method === 'GET' ? 'POST' : route.method;
        // Over the body limit the server answers 413 and closes while the client is still sending.
        const check = (res: RawResponse | undefined, what: string) => expectWellFormed(res, what, true);
        check(await send(method, path, a, payload), `${label} ${method} ${path}`);
        if (route.method !== 'GET' && label !== 'huge')
          check(
            await send(route.method, path, a, Buffer.from(`{"v":${payload.toString()}}`)),
            `${label} wrapped ${route.method} ${path}`,
          );
      }
      // A content-length longer than the body: the server must not hang or crash (it answers when
      // the client gives up, or times the request out; either way no 5xx and no HTML).
      const short = await Promise.race([
        send(route.method, path, [...a, ...lying], Buffer.from('{}')),
        new Promise<'pending'>((r) => setTimeout(() => r('pending'), 300)),
      ]);
      if (short !== 'pending' && short !== undefined) expect(short.status).toBeLessThan(500);
      // Raw bytes that are not UTF-8 in the path, unencoded.
      const rawPath = Buffer.concat([Buffer.from(path.replace('x1', '')), Buffer.from([0xff, 0xc0, 0xaf])]);
      const rawRes = await send(route.method, rawPath, a);
      if (rawRes) {
        expect(rawRes.status).toBeLessThan(500);
        expect(rawRes.headers['content-type'] ?? 'none').not.toMatch(/html/);
      }
    }
    // Huge headers are refused by Node itself (431) before Fastify: not a 5xx, never HTML.
    for (const [name, value] of [
      ['x-filler', 'y'.repeat(20_000)],
      ['authorization', `Bearer ${'z'.repeat(20_000)}`],
      ['cookie', 'c=' + 'q'.repeat(70_000)],
    ] as const) {
      const res = await send('GET', '/v1/customers/u/attributes', [[name, value]]);
      expect(res?.status).toBe(431);
      expect(res!.headers['content-type'] ?? 'none').not.toMatch(/html/);
      if (res!.body.length > 0) expect(() => JSON.parse(res!.body.toString())).not.toThrow();
    }
    const many: Array<[string, string]> = Array.from({ length: 3_000 }, (_, i) => [`x-h${i}`, 'v']);
    const manyRes = await send('GET', '/healthz', many);
    if (manyRes) {
      expect(manyRes.status).toBeLessThan(500);
      expect(manyRes.headers['content-type'] ?? 'none').not.toMatch(/html/);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 120_000);

  it('refuses NUL characters and absurd nesting with a 400, the same on both engines', async () => {
    const costly = {
      events: Array.from({ length: 64 }, (_, i) => ({ event: { name: `e${i}`, within: '30d' } })),
      devices: Array.from({ length: 21 }, () => ({
        device: { attribute: { field: 'platform', operator: 'exists' } },
      })),
      inLists: Array.from({ length: 33 }, (_, j) => ({
        attribute: {
          field: 'plan',
          operator: 'in',
          value: Array.from({ length: 1000 }, (_, i) => `${j}-${i}`),
        },
      })),
    };
    const h = (a: string) => ({ authorization: a, 'content-type': 'application/json' });
    const deep = (n: number) =>
      `{"batch":[{"type":"person","action":"identify","identifiers":{"id":"d"},"attributes":{"a":${deepArray(n)}}}]}`;
    const cases: Array<[string, string, string, string | undefined]> = [
      ['POST', '/api/v2/batch', auth.track, deep(6_000)],
      ['POST', '/api/v2/batch', auth.track, `{"batch":[{"type":"person","action":${deepArray(6_000)}}]}`],
      ['PUT', '/api/v1/customers/nul', auth.track, '{"a":"x\\u0000y"}'],
      ['POST', '/api/v1/customers/nul/events', auth.track, '{"name":"e","data":{"k\\u0000":1}}'],
      [
        'POST',
        '/api/v2/entity',
        auth.track,
        '{"type":"person","action":"identify","identifiers":{"id":"n\\u0000"}}',
      ],
      // Unpaired surrogate escapes: not Unicode text, and PostgreSQL's jsonb refuses them.
      ['PUT', '/api/v1/customers/sur', auth.track, '{"plan":"\\ud800"}'],
      ['PUT', '/api/v1/customers/sur', auth.track, '{"plan":"x\\udc00y"}'],
      ['PUT', '/api/v1/customers/sur', auth.track, '{"plan":"\\ud800\\u0041"}'],
      ['PUT', '/api/v1/customers/a%00b', auth.track, '{}'],
      ['GET', '/v1/customers/a%00b/attributes', auth.app, undefined],
      ['GET', '/v1/customers?email=a%00b', auth.app, undefined],
      ['POST', '/v1/customers', auth.app, `{"filter":${deepObject(3_000)}}`],
      // Filters over the cost bounds (docs/segments.md "Limits on a condition's cost"): too many
      // event or device conditions, too many `in` values in all.
      ['POST', '/v1/segments/count', auth.app, JSON.stringify({ conditions: { or: costly.events } })],
      ['POST', '/v1/customers', auth.app, JSON.stringify({ filter: { and: costly.devices } })],
      ['POST', '/v1/customers', auth.app, JSON.stringify({ filter: { or: costly.inLists } })],
      [
        'POST',
        '/v1/segments',
        auth.app,
        JSON.stringify({ segment: { name: 'x', conditions: { or: costly.inLists } } }),
      ],
    ];
    for (const [method, path, a, payload] of cases) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: h(a),
        ...(payload ? { body: payload } : {}),
      });
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    // A proper surrogate pair (an emoji, escaped) is text like any other.
    const pair = await fetch(`${server.url}/api/v1/customers/emoji`, {
      method: 'PUT',
      headers: h(auth.track),
      body: '{"mood":"\\ud83d\\ude00"}',
    });
    expect(pair.status).toBe(200);
    // Legitimate nesting is untouched.
    const ok = await fetch(`${server.url}/api/v2/batch`, {
      method: 'POST',
      headers: h(auth.track),
      body: deep(20),
    });
    expect(ok.status).toBe(200);
    // A NUL in credentials is just wrong credentials.
    const nulAuth = `Basic ${Buffer.from(`${server.credentials.siteId}\u0000:x`).toString('base64')}`;
    expect(
      (await fetch(`${server.trackUrl}/accounts/region`, { headers: { authorization: nulAuth } })).status,
    ).toBe(401);
  });

  it('stores SQL-looking and prototype-named identifiers and attributes as plain data', async () => {
    const track = { authorization: auth.track, 'content-type': 'application/json' };
    const id = SQLISH[0]!;
    const attrs = `{"${SQLISH[0]}":"v1","constructor":"v2","toString":"v3","__defineGetter__":"v4","hasOwnProperty":1}`;
    const put = await fetch(`${server.url}/api/v1/customers/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: track,
      body: attrs,
    });
    expect(put.status).toBe(200);
    const read = await fetch(`${server.appUrl}/customers/${encodeURIComponent(id)}/attributes`, {
      headers: { authorization: auth.app },
    });
    expect(read.status).toBe(200);
    const { customer } = (await read.json()) as {
      customer: { id: string; attributes: Record<string, string> };
    };
    expect(customer.id).toBe(id);
    expect(customer.attributes).toMatchObject({
      [SQLISH[0]!]: 'v1',
      constructor: 'v2',
      toString: 'v3',
      __defineGetter__: 'v4',
      hasOwnProperty: '1',
    });
    // The same names through the Pipelines wire and as an object's attributes: `__proto__` is a
    // 400 naming it, with nothing written; the other names are plain data.
    const pipelinesCall = (body: string) =>
      fetch(`${server.url}/v1/identify`, {
        method: 'POST',
        headers: { authorization: auth.pipelines, 'content-type': 'application/json' },
        body,
      });
    const refused = await pipelinesCall(
      '{"userId":"proto-p","messageId":"proto-1","traits":{"__proto__":{"polluted":"yes"},"plan":"x"}}',
    );
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/__proto__/);
    const personOf = () =>
      fetch(`${server.appUrl}/customers/proto-p/attributes`, { headers: { authorization: auth.app } });
    expect((await personOf()).status).toBe(404);
    const plain = await pipelinesCall(
      '{"userId":"proto-p","messageId":"proto-2","traits":{"constructor":"c","toString":"t","valueOf":"v"}}',
    );
    expect(plain.status, await plain.clone().text()).toBe(200);
    const stored = (
      (await (await personOf()).json()) as { customer: { attributes: Record<string, unknown> } }
    ).customer.attributes;
    expect(stored).toMatchObject({ constructor: 'c', toString: 't', valueOf: 'v' });
    const object = await fetch(`${server.url}/api/v2/entity`, {
      method: 'POST',
      headers: track,
      body: '{"type":"object","action":"identify","identifiers":{"object_type_id":"1","object_id":"proto-o"},"attributes":{"__proto__":{"polluted":"yes"}}}',
    });
    expect(object.status).toBe(400);
    const objectRead = await fetch(`${server.appUrl}/objects/1/proto-o/attributes`, {
      headers: { authorization: auth.app },
    });
    expect(objectRead.status).toBe(404);
    // The tables are all still there.
    const again = await fetch(`${server.appUrl}/customers?email=a%40b.co`, {
      headers: { authorization: auth.app },
    });
    expect(again.status).toBe(200);
  });
});
