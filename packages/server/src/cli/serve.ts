import path from 'node:path';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { parsePublicUrl } from '../http/routes/pipelines/settings.js';
import { buildApp } from '../http/app.js';
import { requestLogView } from '../http/log-redaction.js';
import { openStore } from '../store/open-store.js';
import { systemClock } from '../lib/clock.js';
import { HistoryRetention } from '../services/history/retention.js';
import { redactUrl, serveConfig, type ServeFlags } from './config.js';
import { finishEmailMerges } from '../services/identity/email-merges.js';

/** How often retention looks for partitions to create or drop and rows to prune. */
const HISTORY_INTERVAL_MS = 60 * 60_000;

/**
 * `roster serve`: opens the store (running migrations), makes sure a workspace exists, listens,
 * and on SIGTERM/SIGINT stops accepting, finishes in-flight requests, closes the store, exits 0.
 */
export async function serve(flags: ServeFlags): Promise<void> {
  const config = serveConfig(flags);
  // One logger from the start, so migrations run while opening the store are logged like the rest.
  const log = pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], remove: true },
    // Request URLs without email addresses (ids and emails are in paths and queries).
    serializers: { req: requestLogView },
  });
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    sqliteSynchronous: config.sqliteSynchronous,
    sqliteBackgroundCheckpoint: true,
    pgPreparedStatements: config.pgPreparedStatements,
    pgSessionPrepare: config.pgSessionPrepare,
    pgMergeWrites: config.pgMergeWrites,
    pgWriteGroups: config.pgWriteGroups,
    queryBudgetMs: config.queryBudgetMs,
    migrationLog: log,
  });
  const { app, services } = await buildApp({
    objectChangeInWrite: config.objectChangeInWrite,
    webhooks: config.webhooks,
    store,
    appApiRateLimit: config.appApiRateLimit,
    publicRateLimit: config.publicRateLimit,
    metricsToken: config.metricsToken,
    pushProviderHosts: config.pushProviderHosts,
    dashboardDir: config.dashboardDir,
    loggerInstance: log,
    requestTimeoutMs: config.requestTimeoutMs,
    publicUrl: config.publicUrl ? parsePublicUrl(config.publicUrl) : undefined,
    pipelinesMaxConcurrent: config.pipelinesMaxConcurrent,
    https: config.tls
      ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
      : undefined,
  });
  const { workspace, generated, generatedWriteKey } = await services.workspaces.ensureDefault(
    config.credentials,
    config.writeKeys,
  );
  await startBackgroundWork(app, services, store, config);
  stopOnSignals(app, store, config.shutdownGraceMs);
  const address = await app.listen({ port: config.port, host: config.host });
  const base = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  const pipelinesHost = (config.publicUrl ?? base).replace(/\/+$/, '');
  app.log.info(
    {
      store: store.dialect,
      where: config.databaseUrl ? redactUrl(config.databaseUrl) : config.dataDir,
      siteId: workspace.siteId,
    },
    `roster listening on ${base}`,
  );
  if (!config.metricsToken)
    app.log.warn(
      'GET /metrics is open to anyone who can reach this port (route counts, queue depth, memory): set ROSTER_METRICS_TOKEN to require a Bearer token',
    );
  // Also on stdout whatever the log level: scripts and tests wait for this line.
  if (['warn', 'error', 'fatal', 'silent'].includes(app.log.level))
    process.stdout.write(`roster listening on ${base}\n`);
  printWelcome(config, base, pipelinesHost, workspace, generated, generatedWriteKey);
}

type Built = Awaited<ReturnType<typeof buildApp>>;
type ServeConfig = ReturnType<typeof serveConfig>;
type Store = Awaited<ReturnType<typeof openStore>>;

/** The loops a server runs besides answering requests, each stopped when the app closes. */
async function startBackgroundWork(
  app: Built['app'],
  services: Built['services'],
  store: Store,
  config: ServeConfig,
): Promise<void> {
  // People an upgrade found twice under one email (NFC and NFD spellings) are merged, one merge per
  // transaction, while the server serves (docs/operations.md "Upgrading: emails in NFC").
  const emailMerges = finishEmailMerges(services.store, services.track, services.workspaces).then(
    (merged) => {
      if (merged > 0) app.log.info({ merged }, `emails in NFC: merged ${merged} duplicate people`);
    },
    (err: unknown) => app.log.error({ err }, 'emails in NFC: merging duplicate people failed'),
  );
  app.addHook('onClose', () => emailMerges);
  // Pipelines messageIds are remembered for 48 hours (dedupe), then forgotten in small deletes.
  const pruning = services.pipelines.startPruning(10 * 60_000, (err) =>
    app.log.warn({ err }, 'pipelines: pruning old messageIds failed; will retry'),
  );
  app.addHook('onClose', () => pruning.stop());
  // History retention (docs/operations.md "Retention"): PostgreSQL's month partitions exist before
  // the first write, and are created ahead and dropped past ROSTER_RETENTION_DAYS hourly; SQLite
  // prunes in small batches when the setting is on.
  const history = new HistoryRetention(store, systemClock, config.retentionDays, app.log);
  await history.ensurePartitions();
  history.start(HISTORY_INTERVAL_MS);
  app.addHook('onClose', () => history.stop());
  // Segments with `within` windows are rechecked on a timer (one process at a time, via a lease).
  const recheck = services.segments.startRecheck(config.segmentRecheckSeconds * 1000, app.log);
  app.addHook('onClose', () => recheck.stop());
  // Segment memberships after changes to objects with many related people, in bounded batches.
  const catchup = services.segments.startCatchup(1000, (err) =>
    app.log.error({ err }, 'segment catch-up failed'),
  );
  app.addHook('onClose', () => catchup.stop());
  // Indexed attributes whose build a stopped server left unfinished are built again (one server).
  const attributeIndexes = services.app.attributeIndexes.start(app.log);
  app.addHook('onClose', () => attributeIndexes.stop());
  // Push delivery and broadcast fan-out (ROSTER_DELIVERY_WORKER=0 / ROSTER_BROADCAST_WORKER=0 turn
  // them off in this process).
  services.runtime.start(config.messaging, app.log);
  app.addHook('onClose', () => services.runtime.stop());
  // Outgoing webhooks (ROSTER_WEBHOOK_WORKER=0 turns their delivery off in this process).
  if (config.webhookWorker) services.webhooks.start(app.log);
  app.addHook('onClose', () => services.webhooks.stop());
}

/** SIGTERM/SIGINT: stop accepting, finish in-flight requests (for the grace period), close, exit. */
function stopOnSignals(app: Built['app'], store: Store, shutdownGraceMs: number): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    // In-flight requests get the grace period; then their connections are closed, so a client that
    // never finishes sending cannot keep a stopping server alive (docs/security.md "HTTP limits").
    const grace = setTimeout(() => {
      app.log.warn(
        { graceSeconds: shutdownGraceMs / 1000 },
        'shutdown grace period over: closing the connections still open',
      );
      app.server.closeAllConnections();
    }, shutdownGraceMs);
    grace.unref();
    try {
      await app.close();
      await store.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

type Ensured = Awaited<ReturnType<Built['services']['workspaces']['ensureDefault']>>;

/** What the terminal shows once listening: a new workspace's keys (once), else where to go. */
function printWelcome(
  config: ServeConfig,
  base: string,
  pipelinesHost: string,
  workspace: Ensured['workspace'],
  generated: Ensured['generated'],
  generatedWriteKey: Ensured['generatedWriteKey'],
): void {
  const dashboard = `${base}/`;
  if (generated) {
    // Printed once, to the terminal only (not the structured log): keys are secrets.
    const basic = `${generated.siteId}:${generated.apiKey}`;
    process.stdout.write(
      [
        '',
        'A workspace was created. Its keys are shown only this once:',
        `  site id          ${generated.siteId}`,
        `  tracking API key ${generated.apiKey}      (HTTP Basic site_id:api_key on the Track API)`,
        `  App API key      ${generated.appApiKey}   (Authorization: Bearer on the App API; signs in to the dashboard)`,
        `  write key        ${generated.writeKey ?? ''}   (Pipelines API: Customer.io's CDP API key)`,
        '',
        `  Dashboard  ${dashboard}`,
        `  Track API  ${base}/api/v1   e.g. new TrackClient(siteId, apiKey, { url: '${base}/api/v1' })`,
        `  App API    ${base}/v1       e.g. new APIClient(appApiKey, { url: '${base}/v1' })`,
        `  Pipelines  ${pipelinesHost}/v1   e.g. new Analytics({ writeKey, host: '${pipelinesHost}' })`,
        `  Health     ${base}/healthz`,
        '',
        'Identify your first person, then find them in the dashboard:',
        `  curl -u ${basic} -X PUT ${base}/api/v1/customers/dana -H 'content-type: application/json' -d '{"email":"dana@example.com","first_name":"Dana"}'`,
        '',
      ].join('\n') + '\n',
    );
  } else {
    // Every later start: where to go, and how to get keys back (they are stored only as hashes).
    const where = config.databaseUrl
      ? ' --database-url …'
      : config.dataDir === path.resolve('data')
        ? ''
        : ` --data ${config.dataDir}`;
    process.stdout.write(
      [
        '',
        `  Dashboard  ${dashboard}   (sign in with the workspace's App API key)`,
        `  Site id    ${workspace.siteId}   (lost a key? npx roster workspace rotate-keys ${workspace.siteId} --app${where})`,
        '',
      ].join('\n') + '\n',
    );
    if (generatedWriteKey) {
      // A workspace from an earlier release gets its first write key; shown once, like the others.
      process.stdout.write(
        [
          '',
          `The workspace ${workspace.siteId} got a Pipelines write key. It is shown only this once:`,
          `  write key        ${generatedWriteKey}   (Customer.io's CDP API key; rotate with roster workspace rotate-keys --write)`,
          `  Pipelines  ${pipelinesHost}/v1`,
          '',
        ].join('\n') + '\n',
      );
    }
  }
}
