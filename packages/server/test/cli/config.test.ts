import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig, resolveStoreConfig } from '../../src/cli/config.js';

/** `cli/config.ts` is the one reader of the environment: every variable lands in the typed config. */
describe('roster serve configuration', () => {
  it('has the documented defaults with an empty environment', () => {
    expect(resolveServeConfig({}, {})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      logLevel: 'info',
      sqliteSynchronous: 'normal',
      pgPreparedStatements: true,
      pgSessionPrepare: true,
      pgMergeWrites: true,
      appApiRateLimit: 0,
      publicRateLimit: 20,
      credentials: undefined,
      segmentRecheckSeconds: 60,
      objectChangeInWrite: 10_000,
      metricsToken: undefined,
      pushProviderHosts: [],
      queryBudgetMs: undefined,
      requestTimeoutMs: 30_000,
      shutdownGraceMs: 20_000,
      dashboardDir: undefined,
      messaging: {
        deliveryWorker: true,
        broadcastWorker: true,
        deliveryLeaseMs: undefined,
        broadcastLeaseMs: undefined,
        broadcastPageSize: undefined,
        broadcastPauseMs: undefined,
      },
      writeKeys: { writeKey: undefined, serverWriteKey: undefined },
      publicUrl: undefined,
      pipelinesMaxConcurrent: 64,
      tls: undefined,
      retentionDays: undefined,
      webhooks: {
        allowPrivate: false,
        connectTimeoutMs: 5000,
        timeoutMs: 15_000,
        pauseAfterFailures: 100,
        retryBaseMs: 10_000,
        leaseMs: undefined,
      },
      webhookWorker: true,
    });
  });

  it('reads every variable, flags first', () => {
    const env = {
      PORT: '9000',
      HOST: '127.0.0.1',
      ROSTER_DATA_DIR: '/tmp/roster-data',
      DATABASE_URL: 'postgres://x@127.0.0.1/db',
      ROSTER_LOG_LEVEL: 'warn',
      ROSTER_SQLITE_SYNCHRONOUS: 'full',
      ROSTER_PG_PREPARED_STATEMENTS: 'OFF',
      ROSTER_APP_API_RATE_LIMIT: '10',
      ROSTER_PUBLIC_RATE_LIMIT: '0',
      ROSTER_SITE_ID: 'site',
      ROSTER_API_KEY: 'trackkey',
      ROSTER_APP_API_KEY: 'appkey',
      ROSTER_SEGMENT_RECHECK_SECONDS: '5',
      ROSTER_OBJECT_CHANGE_IN_WRITE: '500',
      ROSTER_METRICS_TOKEN: 'scrape',
      ROSTER_PUSH_PROVIDER_HOSTS: ' 127.0.0.1, push.internal:8443 ',
      ROSTER_QUERY_TIMEOUT_MS: '2500',
      ROSTER_DASHBOARD_DIR: '/srv/dashboard',
      ROSTER_DELIVERY_WORKER: '0',
      ROSTER_BROADCAST_WORKER: '0',
      ROSTER_DELIVERY_LEASE_MS: '1000',
      ROSTER_BROADCAST_LEASE_MS: '2000',
      ROSTER_BROADCAST_PAGE_SIZE: '50.7',
      ROSTER_BROADCAST_PAUSE_MS: '10',
      ROSTER_WRITE_KEY: 'wk_write_key_0001',
      ROSTER_SERVER_WRITE_KEY: 'swk_server_key_0001',
      ROSTER_PUBLIC_URL: 'https://roster.example.com',
      ROSTER_PIPELINES_MAX_CONCURRENT: '8',
      ROSTER_TLS_CERT: '/etc/roster/cert.pem',
      ROSTER_TLS_KEY: '/etc/roster/key.pem',
      ROSTER_REQUEST_TIMEOUT_SECONDS: '5',
      ROSTER_SHUTDOWN_GRACE_SECONDS: '3',
      ROSTER_RETENTION_DAYS: '400',
      ROSTER_PG_WRITE_GROUPS: '3',
      ROSTER_WEBHOOK_ALLOW_PRIVATE: '1',
      ROSTER_WEBHOOK_CONNECT_TIMEOUT_SECONDS: '2',
      ROSTER_WEBHOOK_TIMEOUT_SECONDS: '7',
      ROSTER_WEBHOOK_PAUSE_AFTER_FAILURES: '20',
      ROSTER_WEBHOOK_RETRY_BASE_SECONDS: '3',
      ROSTER_WEBHOOK_LEASE_MS: '4000',
      ROSTER_WEBHOOK_WORKER: '0',
    };
    expect(resolveServeConfig({}, env)).toEqual({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/tmp/roster-data',
      databaseUrl: 'postgres://x@127.0.0.1/db',
      logLevel: 'warn',
      sqliteSynchronous: 'full',
      pgPreparedStatements: false,
      pgSessionPrepare: false,
      pgMergeWrites: true,
      appApiRateLimit: 10,
      publicRateLimit: 0,
      credentials: { siteId: 'site', apiKey: 'trackkey', appApiKey: 'appkey' },
      segmentRecheckSeconds: 5,
      objectChangeInWrite: 500,
      metricsToken: 'scrape',
      pushProviderHosts: ['127.0.0.1', 'push.internal:8443'],
      queryBudgetMs: 2500,
      requestTimeoutMs: 5000,
      shutdownGraceMs: 3000,
      dashboardDir: '/srv/dashboard',
      messaging: {
        deliveryWorker: false,
        broadcastWorker: false,
        deliveryLeaseMs: 1000,
        broadcastLeaseMs: 2000,
        broadcastPageSize: 50,
        broadcastPauseMs: 10,
      },
      writeKeys: { writeKey: 'wk_write_key_0001', serverWriteKey: 'swk_server_key_0001' },
      publicUrl: 'https://roster.example.com',
      pipelinesMaxConcurrent: 8,
      tls: { certFile: '/etc/roster/cert.pem', keyFile: '/etc/roster/key.pem' },
      retentionDays: 400,
      pgWriteGroups: 3,
      webhooks: {
        allowPrivate: true,
        connectTimeoutMs: 2000,
        timeoutMs: 7000,
        pauseAfterFailures: 20,
        retryBaseMs: 3000,
        leaseMs: 4000,
      },
      webhookWorker: false,
    });
    const flags = {
      port: '7000',
      host: '::1',
      data: '/tmp/flag-data',
      'database-url': 'postgres://f',
      'log-level': 'debug',
      'public-url': 'http://10.0.0.2:8080',
      'tls-cert': 'c.pem',
      'tls-key': 'k.pem',
    };
    expect(resolveServeConfig(flags, env)).toMatchObject({
      port: 7000,
      host: '::1',
      dataDir: '/tmp/flag-data',
      databaseUrl: 'postgres://f',
      logLevel: 'debug',
      publicUrl: 'http://10.0.0.2:8080',
      tls: { certFile: 'c.pem', keyFile: 'k.pem' },
    });
  });

  it('refuses a bad port and partial workspace credentials', () => {
    expect(() => resolveServeConfig({ port: 'x' }, {})).toThrow(/invalid port/);
    expect(() => resolveServeConfig({}, { ROSTER_SITE_ID: 'site' })).toThrow(/ROSTER_SITE_ID/);
    expect(() => resolveServeConfig({}, { ROSTER_TLS_CERT: 'c.pem' })).toThrow(/tls-key/);
    expect(() => resolveServeConfig({}, { ROSTER_PUBLIC_URL: 'roster.example.com' })).toThrow(
      /ROSTER_PUBLIC_URL/,
    );
    for (const bad of ['0', '9', '1.5', 'two'])
      expect(() => resolveServeConfig({}, { ROSTER_PG_WRITE_GROUPS: bad })).toThrow(
        /ROSTER_PG_WRITE_GROUPS must be a whole number from 1 to 8/,
      );
    // `false` or `no` must not quietly mean on behind a pooler that cannot carry prepared statements.
    for (const bad of ['false', 'no', '0'])
      expect(() => resolveServeConfig({}, { ROSTER_PG_PREPARED_STATEMENTS: bad })).toThrow(
        /ROSTER_PG_PREPARED_STATEMENTS must be on, protocol or off/,
      );
  });

  it("keeps the protocol's prepared statements and drops SQL PREPARE with ROSTER_PG_PREPARED_STATEMENTS=protocol", () => {
    expect(resolveStoreConfig({}, { ROSTER_PG_PREPARED_STATEMENTS: 'protocol' })).toMatchObject({
      pgPreparedStatements: true,
      pgSessionPrepare: false,
    });
    expect(resolveStoreConfig({}, { ROSTER_PG_PREPARED_STATEMENTS: ' On ' })).toMatchObject({
      pgPreparedStatements: true,
      pgSessionPrepare: true,
    });
  });

  it('gives the other commands only where the store is (their own keys never matter)', () => {
    expect(resolveStoreConfig({}, { ROSTER_SITE_ID: 'only-one-of-three', DATABASE_URL: '' })).toEqual({
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      pgPreparedStatements: true,
      pgSessionPrepare: true,
      pgMergeWrites: true,
    });
  });
});
