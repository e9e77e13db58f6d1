import type { WebhookSettings } from '../messaging/webhooks/webhook-service.js';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { systemClock, type Clock } from '../lib/clock.js';
import type { MetricsRegistry } from '../lib/metrics.js';
import { createServices, type Services } from '../services/services.js';
import type { PersonChangeListener } from '../services/track/context.js';
import type { Store } from '../store/store.js';
import {
  clientErrorHandler,
  DEFAULT_REQUEST_TIMEOUT_MS,
  IDLE_SOCKET_MS,
  registerBodyDeadline,
  registerClosingAnswer,
} from './connections.js';
import { registerCors } from './cors.js';
import { answerError, registerErrorHandling, HttpError } from './error-handler.js';
import { registerJsonBodyParser } from './json-body-parser.js';
import { trackRoutesForMethodNotAllowed } from './method-not-allowed.js';
import { registerNulGuard } from './nul-guard.js';
import { lazyRequestLogger } from './request-logger.js';
import { registerFirstQueryValue } from './query.js';
import { registerHealthRoutes } from './routes/health.js';
import { StorageHealth } from './storage-health.js';
import { registerTrackRoutes } from './routes/track/index.js';
import { customerLaneRoutes } from './routes/track/customers.js';
import { registerFastLaneReplay, requestIdSequence, TrackFastLane } from './fast-lane.js';
import { registerAppApiRoutes } from './routes/app/index.js';
import { registerDashboard } from './routes/dashboard.js';
import { registerOpenApi } from './routes/openapi.js';
import { registerMetrics } from './routes/metrics.js';
import { registerPipelinesRoutes } from './routes/pipelines/index.js';
import type { PublicUrl } from './routes/pipelines/settings.js';

export interface AppOptions {
  /** Time a request has to arrive whole (ROSTER_REQUEST_TIMEOUT_SECONDS); default 30 s. */
  requestTimeoutMs?: number | undefined;
  store: Store;
  clock?: Clock;
  /** Fastify's logger option: `false`, or pino options such as `{ level: 'info' }`. */
  logger?: FastifyServerOptions['logger'];
  /** A logger made already (`roster serve`'s, which also logged the migrations); wins over `logger`. */
  loggerInstance?: FastifyBaseLogger;
  /** Largest request body for v1 routes, bytes. Customer.io documents none; 1 MB is generous. */
  bodyLimit?: number;
  /** App API requests per second per workspace when a workspace sets none; 0 (default) = off. */
  appApiRateLimit?: number;
  /**
   * Requests per second per client address on the Track routes that need no key, when sent
   * without one (metrics, push events, unsubscribe); 0 (default) = off. `roster serve`: 20.
   */
  publicRateLimit?: number;
  /** Bearer token `GET /metrics` requires; unset = open. */
  metricsToken?: string | undefined;
  /** The built dashboard; default: `packages/dashboard/dist`. */
  dashboardDir?: string | undefined;
  /** Default: a fresh registry. */
  metrics?: MetricsRegistry;
  /** One more step in the write pipeline after the segments engine (tests observe writes with it). */
  onPersonChanged?: PersonChangeListener;
  /** ROSTER_PUBLIC_URL: the Pipelines settings' `apiHost`; default: the host each request came to. */
  publicUrl?: PublicUrl | undefined;
  /** Pipelines requests processed at once before 429 (ROSTER_PIPELINES_MAX_CONCURRENT). */
  pipelinesMaxConcurrent?: number | undefined;
  /** ROSTER_PUSH_PROVIDER_HOSTS: hosts push-provider settings may name beyond the real providers'. */
  pushProviderHosts?: readonly string[] | '*' | undefined;
  /** TLS (ROSTER_TLS_CERT / ROSTER_TLS_KEY): serve HTTPS, which the mobile SDKs require. */
  https?: { cert: Buffer; key: Buffer } | undefined;
  /** People an object change re-evaluates inside its write (default 10,000; docs/objects.md). */
  objectChangeInWrite?: number;
  /** Outgoing webhooks (ROSTER_WEBHOOK_*; docs/webhooks.md). */
  webhooks?: WebhookSettings | undefined;
}

/**
 * Builds the HTTP server without listening: the CLI listens, tests use `inject()` or listen on
 * port 0. Routes only parse, authenticate and shape responses; services hold the rules.
 */
export async function buildApp(
  options: AppOptions,
): Promise<{ app: FastifyInstance; services: Services; openapi: { undocumented(): string[] } }> {
  const services = createServices(options.store, options.clock ?? systemClock, {
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.onPersonChanged ? { onPersonChanged: options.onPersonChanged } : {}),
    ...(options.pipelinesMaxConcurrent ? { pipelinesMaxConcurrent: options.pipelinesMaxConcurrent } : {}),
    ...(options.objectChangeInWrite ? { objectChangeInWrite: options.objectChangeInWrite } : {}),
    ...(options.pushProviderHosts ? { pushProviderHosts: options.pushProviderHosts } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const bodyLimit = options.bodyLimit ?? 1_048_576;
  const requestId = requestIdSequence();
  const checkEvery = Math.min(30_000, Math.max(250, Math.floor(requestTimeoutMs / 4)));
  const app = Fastify({
    ...(options.https ? { https: { ...options.https, connectionsCheckingInterval: checkEvery } } : {}),
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance, childLoggerFactory: lazyRequestLogger }
      : { logger: options.logger ?? false }),
    bodyLimit,
    genReqId: requestId,
    // Clients percent-encode ids; a path is routed raw and its segments decoded afterwards.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // Huge headers are cut off by Node (16 KB) with a 431 before reaching us.
    frameworkErrors: (err, request, reply) => answerError(request, reply, err),
    // Every request arrives whole in bounded time, and idle connections end (docs/security.md
    // "HTTP limits"); Node
    // checks the request deadline every `connectionsCheckingInterval`.
    requestTimeout: requestTimeoutMs,
    connectionTimeout: IDLE_SOCKET_MS,
    http: { connectionsCheckingInterval: checkEvery },
    // 408, 431 and unparseable requests in Roster's error shape; 503 while closing too.
    clientErrorHandler,
    return503OnClosing: false,
    // Route schemas validate what was sent: a string is not a list, nor a number (query values and
    // path parameters are strings, and the services read numbers from them with their own 400s).
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.decorateRequest('workspace', null);
  const closing = registerClosingAnswer(app);
  registerBodyDeadline(app, requestTimeoutMs);
  registerJsonBodyParser(app);
  registerFirstQueryValue(app);
  registerNulGuard(app);
  registerErrorHandling(app);
  registerCors(app);
  const methods = trackRoutesForMethodNotAllowed(app);
  const openapi = registerOpenApi(app);
  const record = registerMetrics(app, services, { token: options.metricsToken });
  registerFastLaneReplay(app);

  const storage = new StorageHealth(() => (options.clock ?? systemClock).now());
  storage.register(app);
  registerHealthRoutes(app, services.status, storage);
  registerTrackRoutes(app, services, {
    publicRateLimit: options.publicRateLimit ?? 0,
    publicUrl: options.publicUrl
      ? `${options.publicUrl.protocol}://${options.publicUrl.hostAndPath}`
      : undefined,
  });
  registerAppApiRoutes(app, services, { defaultRateLimit: options.appApiRateLimit ?? 0 });
  await registerPipelinesRoutes(app, services, { publicUrl: options.publicUrl });
  await registerDashboard(app, { dir: options.dashboardDir });

  new TrackFastLane(app, Object.values(customerLaneRoutes), {
    workspaces: services.workspaces,
    track: services.track,
    bodyLimit,
    requestTimeoutMs,
    closing,
    record,
    requestId,
    wrote: () => storage.wrote(),
  }).install();

  openapi.seal();
  methods.finish();
  // Guard against anything answering a non-JSON error.
  app.addHook('onError', (request, _reply, err, done) => {
    if (!(err instanceof HttpError)) request.log.debug({ err }, 'request failed');
    done();
  });
  return { app, services, openapi };
}
