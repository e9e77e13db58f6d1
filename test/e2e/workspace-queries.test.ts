import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  NO_BACKGROUND_WORK,
  startLoggedServer,
  type LoggedServer,
  type StatementLog,
} from '../helpers/statement-log.js';
import { COORDINATOR_TABLES, REFERENCE_TABLES } from './citus-tables.js';

/**
 * The query audit of docs/scaling.md "Past one database": on a database sharded by workspace, a
 * statement that names a sharded table without `workspace_id` goes to every shard. This test runs
 * the main flows of the Track API (identify, events, devices, a v2 batch, delivery metrics) and
 * the App API (search, attributes, activities, segments, messages, objects) against a server on
 * PostgreSQL with `log_statement = all`, and fails on a statement that reads or writes a sharded
 * table without naming `workspace_id`, apart from the ones listed in `KNOWN` with why.
 */

/**
 * Statements known to name no workspace (the start of their `shape`), and why. Background workers
 * that serve every workspace may; what is "not scoped yet" is work left (docs/scaling.md): take it
 * off the list when its statement names the workspace.
 */
const KNOWN: Record<string, string> = {
  'update activities set customer_identifiers = coalesce( (select b.customer_identifiers from activitie':
    'not scoped yet: person delete fills in the identifiers of its history by pid alone (markActivitiesDeleted)',
  'select distinct customer_identifiers from activities where person_pid = ?':
    'not scoped yet: person delete reads the identifiers of its history by pid alone (markActivitiesDeleted)',
  'update activities set customer_identifiers = ? where person_pid = ?':
    'not scoped yet: person delete rewrites the identifiers of its history by pid alone (markActivitiesDeleted)',
  'delete from webhook_':
    "webhook retention: prunes every workspace's old deliveries and attempts (background)",
  'select d.id, d.subscription_id': 'webhook worker: claims due deliveries of every workspace (background)',
  'select * from segment_catchup order by id limit ?':
    'object-change catch-up worker: takes the oldest job of any workspace (background)',
  'update objects set attributes = ?, attr_ts = ?, updated_at = ? where oid = ?':
    'not scoped yet: object identify updates by oid alone',
  'update activities set deleted = ? where person_pid = ?':
    'not scoped yet: person delete marks history deleted by pid alone',
  'update segments set conditions = ?, type = ?, updated_at = ? where id = ?':
    'not scoped yet: segment update by id alone',
  'select count(*) as n from segment_memberships where segment_id = ?':
    'not scoped yet: segment member count by segment id alone',
  'select p.pid, p.id, p.email, p.cio_id from segment_memberships as sm inner join people as p on p.pid':
    'not scoped yet: segment membership page by segment id alone',
  'select p.pid, p.id, p.email, p.cio_id, r.attributes, r.created_at from relationships as r inner join':
    'not scoped yet: object relationships page by object oid alone',
  'select (timestamp - (timestamp % ?)) as bucket, sum(delta) as delta from segment_size_log where segm':
    'not scoped yet: segment size history by segment id alone',
};

const TABLE = /\b(?:from|into|update|join)\s+"?([a-z_]+)"?/gi;
const SKIP =
  /^(begin|commit|rollback|savepoint|release|set|show|listen|unlisten|notify|select pg_|select 1\b|deallocate|discard)/i;

/** A statement as a stable key: literals and parameters as `?`, whitespace collapsed, cut short. */
function shape(statement: string): string {
  return statement
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\b\d+\b/g, '?')
    .replace(/"/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100);
}

/** The statements of a log entry (a simple query may hold several). */
function statementsOf(entry: string): string[] {
  return entry
    .replace(/^(statement|execute [^:]+):\s*/, '')
    .split(/;\s*(?=(?:select|insert|update|delete|with|begin|commit|rollback|set|savepoint|release)\b)/i)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

describe.runIf(postgresAvailable())(
  'every Track and App API statement on a sharded table names its workspace',
  () => {
    let logged: LoggedServer | undefined;
    let server: ServerProcess;
    let log: StatementLog | undefined;
    let dbName: string;

    beforeAll(async () => {
      logged = await startLoggedServer({
        name: 'wsaudit',
        skipping: 'the query audit',
        env: NO_BACKGROUND_WORK,
      });
      if (logged) ({ server, log, database: dbName } = logged);
    }, 120_000);
    afterAll(() => logged?.close());

    const call = async (method: string, path: string, body?: unknown) => {
      const { siteId, apiKey, appApiKey } = server.credentials;
      const track = path.startsWith('/api/');
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: track
            ? `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`
            : `Bearer ${appApiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      expect(res.status, `${method} ${path}: ${text}`).toBeLessThan(300);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    };

    it(
      'runs the main flows and finds no unlisted statement without workspace_id',
      { timeout: 180_000 },
      async (ctx) => {
        if (!log) return ctx.skip();
        const mark = await log.mark();
        // Track API.
        await call('PUT', '/api/v1/customers/ann', { email: 'ann@example.com', plan: 'pro', score: 5 });
        await call('PUT', '/api/v1/customers/ann', { plan: 'team' });
        await call('PUT', '/api/v1/customers/bob', { email: 'bob@example.com', plan: 'free' });
        await call('POST', '/api/v1/customers/ann/events', { name: 'purchase', data: { total: 5 } });
        await call('POST', '/api/v1/events', { anonymous_id: 'anon-1', name: 'page', data: {} });
        await call('PUT', '/api/v1/customers/ann/devices', { device: { id: 'ann-token', platform: 'ios' } });
        await call('POST', '/api/v2/batch', {
          batch: [
            { type: 'person', action: 'identify', identifiers: { id: 'cat' }, attributes: { plan: 'pro' } },
            { type: 'person', action: 'event', identifiers: { id: 'cat' }, name: 'signup' },
            {
              type: 'object',
              action: 'identify',
              identifiers: { object_type_id: '1', object_id: 'acme' },
              attributes: { name: 'Acme' },
              cio_relationships: [{ identifiers: { id: 'ann' } }],
            },
          ],
        });
        await call('POST', '/api/v1/merge_customers', {
          primary: { id: 'ann' },
          secondary: { id: 'cat' },
        });
        await call('DELETE', '/api/v1/customers/bob/devices/none');
        await call('POST', '/api/v1/metrics', { delivery_id: 'external-1', metric: 'clicked' });
        // App API.
        await call('POST', '/v1/customers', {
          filter: { attribute: { field: 'plan', operator: 'eq', value: 'team' } },
        });
        await call('GET', '/v1/customers/ann/attributes');
        await call('GET', '/v1/customers/ann/activities');
        await call('GET', '/v1/activities');
        const seg = (await call('POST', '/v1/segments', {
          segment: {
            name: 'Pro',
            conditions: { attribute: { field: 'plan', operator: 'eq', value: 'team' } },
          },
        })) as { segment: { id: number } };
        await call('GET', `/v1/segments/${seg.segment.id}`);
        await call('GET', `/v1/segments/${seg.segment.id}/customer_count`);
        await call('GET', `/v1/segments/${seg.segment.id}/membership`);
        await call('GET', '/v1/customers/ann/segments');
        await call('GET', '/v1/messages');
        await call('GET', '/v1/objects/1/acme/relationships');
        await call('GET', '/v1/objects/1/acme/attributes');
        await call('GET', '/v1/customers/ann/relationships');
        await call('GET', '/v1/customers/ann/messages');
        await call('GET', `/v1/segments/${seg.segment.id}/history`);
        await call('GET', '/v1/customers/search?q=ann');
        await call('GET', '/v1/pipelines/errors');
        await call('DELETE', '/api/v1/customers/bob');

        const entries = await log.sinceFull(mark, dbName);
        const offenders = new Map<string, string>();
        for (const entry of entries)
          for (const statement of statementsOf(entry)) {
            if (SKIP.test(statement)) continue;
            const tables = [...statement.matchAll(TABLE)].map((m) => m[1]!.toLowerCase());
            const sharded = tables.filter(
              (t) => !t.startsWith('pg_') && !REFERENCE_TABLES.includes(t) && !COORDINATOR_TABLES.includes(t),
            );
            if (sharded.length === 0 || /workspace_id/i.test(statement)) continue;
            const key = shape(statement);
            if (!Object.keys(KNOWN).some((k) => key.startsWith(k))) offenders.set(key, statement);
          }
        expect(entries.length).toBeGreaterThan(20);
        expect([...offenders.keys()], [...offenders.values()].join('\n\n')).toEqual([]);
      },
    );
  },
);
