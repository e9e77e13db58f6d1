// The messaging module's public surface: what routes, segments and campaigns use.
export { MessagingService } from './messaging-service.js';
export type { MessagingDeps, DeviceChangedHook } from './messaging-deps.js';
export { queuePush, type QueuePushInput, type QueuedPush, type PushJobPayload } from './push-queue.js';
export {
  loadRecipient,
  selectPushDevices,
  type Recipient,
  type PushDevice,
} from '../store/messaging/recipients.js';
export {
  applyDeliveryMetric,
  type ClientPushMetric,
  type DeliveryMetricInput,
  type DeliveryMetricResult,
} from './delivery-metrics.js';
export { DeliveryWorker, type DeliveryWorkerOptions, type RunStats } from './delivery-worker.js';
export {
  ProviderRegistry,
  defaultProviderFactory,
  type ProviderFactory,
  type ProviderSettings,
} from './provider-registry.js';
export {
  savePushProvider,
  deletePushProvider,
  listPushProviders,
} from '../store/messaging/push-providers.js';
export {
  renderTemplate,
  TemplateRenderer,
  DEFAULT_TEMPLATE_LIMITS,
  type TemplateLimits,
} from './template-render.js';
export { buildTemplateContext, type TemplateContext } from './template-context.js';
export { TemplateSyntaxError, TemplateRenderError } from './template-errors.js';
export {
  renderPushTemplate,
  validatePushTemplate,
  type PushTemplate,
  type PushContent,
} from './push-template.js';
export type { ApnsConfig } from './apns-provider.js';
export type { FcmConfig } from './fcm-provider.js';
export type { ServiceAccount } from './fcm-access-token.js';
export type { CustomPayload, PushProvider, SendOutcome } from './provider-types.js';
export { claimDue, enqueueOutbox } from '../store/messaging/outbox.js';
export type { MessageMetrics, MessageRefs } from '../store/messaging/messages.js';
