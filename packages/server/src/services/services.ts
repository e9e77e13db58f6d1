import type { Clock } from '../lib/clock.js';
import { MessagingService, ProviderRegistry, type DeviceChangedHook } from '../messaging/index.js';
import { createMetrics, type MetricsRegistry } from '../lib/metrics.js';
import type { Store } from '../store/store.js';
import { createAppServices, type AppServices } from './app-services.js';
import { BroadcastService } from '../messaging/campaigns/broadcasts.js';
import { CampaignService } from '../messaging/campaigns/campaigns.js';
import { MessagingRuntime } from '../messaging/runtime.js';
import { SendPushService } from './push/send-push.js';
import { TemplatePreviewService } from './push/preview.js';
import { CampaignWebhookService } from './push/campaign-webhooks.js';
import { ServerStatusService } from './server-status.js';
import { TransactionalService } from '../messaging/campaigns/transactional.js';
import { WorkspaceSettingsService } from './workspace-settings.js';
import { SegmentEngine } from './segments/engine.js';
import type { PersonChangeListener } from './track/context.js';
import { PipelinesService } from './pipelines/pipelines-service.js';
import { TrackService, type WritePipeline } from './track/track-service.js';
import { TrackV2Service } from './track/v2-service.js';
import { WorkspaceCache } from './workspace-cache.js';
import { WorkspaceService } from './workspaces.js';
import { providerHostPolicy } from '../messaging/providers/provider-hosts.js';
import { WebhookService, type WebhookSettings } from '../messaging/webhooks/webhook-service.js';
import { installActivityTap } from '../store/activities/activity-tap.js';

/** Every service, built once per server over one store and clock. Routes receive this object. */
export interface Services {
  store: Store;
  clock: Clock;
  /** The server's metrics: the write pipeline times segment evaluation into it. */
  metrics: MetricsRegistry;
  workspaces: WorkspaceService;
  track: TrackService;
  /** Track API v2 operations and batches (`POST /api/v2/batch`, `roster import`) onto `track`. */
  trackV2: TrackV2Service;
  /** The Data Pipelines ingest: Segment-spec calls onto `track`'s writes. */
  pipelines: PipelinesService;
  segments: SegmentEngine;
  /** The App API's read side. */
  app: AppServices;
  messaging: MessagingService;
  providers: ProviderRegistry;
  transactional: TransactionalService;
  campaigns: CampaignService;
  broadcasts: BroadcastService;
  sendPush: SendPushService;
  templatePreview: TemplatePreviewService;
  /** The store's engine and whether it answers, the outbox depth: for `/healthz` and `/metrics`. */
  status: ServerStatusService;
  workspaceSettings: WorkspaceSettingsService;
  /** The delivery worker and broadcast fan-out; `roster serve` starts them. */
  runtime: MessagingRuntime;
  /** Outgoing webhooks: subscriptions, the deliveries every write queues, their worker. */
  webhooks: WebhookService;
  /** Campaign webhook actions: preview and test-send. */
  campaignWebhooks: CampaignWebhookService;
}

export interface ServicesOptions {
  /** Default: a fresh registry (`createMetrics`). */
  metrics?: MetricsRegistry;
  /** One more person-change step, after the segments engine's (tests observe writes through it). */
  onPersonChanged?: PersonChangeListener;
  /** Pipelines requests processed at once before 429 (ROSTER_PIPELINES_MAX_CONCURRENT); default 64. */
  pipelinesMaxConcurrent?: number;
  /** People an object change re-evaluates inside its write; the rest are queued (default 10,000). */
  objectChangeInWrite?: number;
  /**
   * Hosts push-provider settings may name beyond the real providers' (ROSTER_PUSH_PROVIDER_HOSTS;
   * `'*'` any). Default: none.
   */
  pushProviderHosts?: readonly string[] | '*';
  /** Outgoing webhooks (ROSTER_WEBHOOK_*); default: DEFAULT_WEBHOOK_SETTINGS. */
  webhooks?: WebhookSettings;
}

/**
 * The composition root: builds every service and wires what reacts to what, here and nowhere else.
 *
 * The write pipeline (what runs inside each Track write's transaction, after the write):
 *   1. for each person the write changed: the segments engine re-evaluates them, timed into
 *      `roster_segment_evaluation_seconds`; entering a segment starts the campaigns it triggers;
 *   2. for each event the write stored: campaigns triggered by that event send;
 *   3. client push metrics for deliveries Roster sent update the message (`applyDeliveryMetric`).
 * And outside Track writes: a send that changes a device's status re-evaluates its person's
 * segments (`onDeviceChanged`), inside the transaction that records the send.
 */
export function createServices(store: Store, clock: Clock, options: ServicesOptions = {}): Services {
  const metrics = options.metrics ?? createMetrics();
  // Every transaction that records history also queues the webhook deliveries it makes
  // (docs/webhooks.md "How deliveries are made"), whichever service wrote it.
  const webhooks = new WebhookService(store, clock, options.webhooks);
  installActivityTap(store, webhooks.emitter.tap, webhooks.emitter.objectTap);
  // Workspaces and key hashes in memory, dropped when PostgreSQL notifies a change, or on SQLite
  // when this process writes them or another process writes the file.
  const cacheFeed = store.changes ?? store.workspaceFeed;
  const workspaces = new WorkspaceService(store, clock, cacheFeed && new WorkspaceCache(cacheFeed));

  // Messaging and segments refer to each other (sends re-evaluate segments, entering a segment
  // sends): the hooks look the other side up when they run, once everything below is built.
  const onDeviceChanged: DeviceChangedHook = (trx, workspaceId, personPid) =>
    segments.reevaluatePerson(trx, workspaceId, personPid);
  const messaging = new MessagingService({ store, clock, onDeviceChanged });
  const providers = new ProviderRegistry(
    store,
    clock,
    undefined,
    providerHostPolicy(options.pushProviderHosts ?? []),
  );
  const transactional = new TransactionalService(store, clock, messaging.renderer);
  const campaigns = new CampaignService(
    store,
    clock,
    messaging,
    transactional,
    () => runtime.nudgeSends(),
    options.webhooks?.allowPrivate ?? false,
  );
  const segments = new SegmentEngine(store, clock, campaigns.onSegmentEntered, options.objectChangeInWrite);

  const evaluateSegments: PersonChangeListener = (...args) =>
    metrics.time('roster_segment_evaluation_seconds', () => segments.listener(...args));
  const pipeline: WritePipeline = {
    onPersonChanged: options.onPersonChanged
      ? [evaluateSegments, options.onPersonChanged]
      : [evaluateSegments],
    onEvent: [campaigns.onEvent],
    onObjectChanged: [segments.objectListener, campaigns.onObjectChanged],
    deliveryMetric: (trx, input) => messaging.applyDeliveryMetric(trx, input),
    sharedLocks: store.dialect === 'postgres' ? segments.sharedLocks : undefined,
  };
  const track = new TrackService(store, clock, workspaces, pipeline);
  const app = createAppServices(store, clock);
  const runtime = new MessagingRuntime(
    store,
    clock,
    messaging,
    providers,
    campaigns,
    transactional,
    onDeviceChanged,
  );
  runtime.onWebhookQueued = () => webhooks.nudge();

  return {
    store,
    clock,
    metrics,
    workspaces,
    track,
    trackV2: new TrackV2Service(track, clock, metrics),
    pipelines: new PipelinesService(store, clock, track, metrics, options.pipelinesMaxConcurrent),
    segments,
    app,
    messaging,
    providers,
    transactional,
    campaigns,
    broadcasts: new BroadcastService(store, clock, campaigns, () => runtime.nudgeBroadcasts()),
    sendPush: new SendPushService(store, clock, track, messaging, transactional, () => runtime.nudge()),
    templatePreview: new TemplatePreviewService(store, messaging.renderer, app.people),
    status: new ServerStatusService(store),
    workspaceSettings: new WorkspaceSettingsService(store, clock, workspaces, providers),
    runtime,
    webhooks,
    campaignWebhooks: new CampaignWebhookService(
      store,
      clock,
      messaging.renderer,
      app.people,
      campaigns,
      options.webhooks?.allowPrivate ?? false,
      () => webhooks.nudge(),
    ),
  };
}
