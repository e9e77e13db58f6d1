import type { Clock } from '../../lib/clock.js';
import { MessagingService, ProviderRegistry } from '../../messaging/index.js';
import type { Store } from '../../store/store.js';
import type { SegmentEngine } from '../segments/engine.js';
import type { TrackService } from '../track/track-service.js';
import type { WorkspaceService } from '../workspaces.js';
import { BroadcastService } from './broadcasts.js';
import { CampaignService } from './campaigns.js';
import { MessagingRuntime } from './runtime.js';
import { SendPushService } from './send-push.js';
import { TransactionalService } from './transactional.js';
import { WorkspaceSettingsService } from './workspace-settings.js';

export { campaignView } from './campaigns.js';
export { transactionalView } from './transactional.js';
export { previewTemplate } from './preview.js';

/** Messaging, wired (issue #8): what `Services` gains, built over the same store and clock. */
export interface MessagingServices {
  messaging: MessagingService;
  providers: ProviderRegistry;
  transactional: TransactionalService;
  campaigns: CampaignService;
  broadcasts: BroadcastService;
  sendPush: SendPushService;
  workspaceSettings: WorkspaceSettingsService;
  /** The delivery worker and broadcast fan-out; `roster serve` starts them. */
  runtime: MessagingRuntime;
}

/**
 * Builds the messaging services and plugs them into Track and segments: client push metrics update
 * messages; stored events and segment entries start triggered campaigns (inside the same
 * transaction); device status changes from sends re-evaluate the person's segments.
 */
export function createMessagingServices(
  store: Store,
  clock: Clock,
  deps: { track: TrackService; segments: SegmentEngine; workspaces: WorkspaceService },
): MessagingServices {
  const onDeviceChanged = deps.segments.reevaluatePerson;
  const messaging = new MessagingService({ store, clock, onDeviceChanged });
  const providers = new ProviderRegistry(store, clock);
  const transactional = new TransactionalService(store, clock, messaging.renderer);
  const campaigns = new CampaignService(store, clock, messaging, transactional);
  deps.track.deliveryMetricHook = (trx, input) => messaging.applyDeliveryMetric(trx, input);
  deps.track.eventListeners.push(campaigns.onEvent);
  deps.segments.enteredListeners.push(campaigns.onSegmentEntered);
  return {
    messaging,
    providers,
    transactional,
    campaigns,
    broadcasts: new BroadcastService(store, clock, campaigns),
    sendPush: new SendPushService(store, clock, deps.track, messaging, transactional),
    workspaceSettings: new WorkspaceSettingsService(store, clock, deps.workspaces, providers),
    runtime: new MessagingRuntime(store, clock, messaging, providers, campaigns, onDeviceChanged),
  };
}
