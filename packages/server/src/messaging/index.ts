// The messaging module's public surface: what services and routes use. Its SQL is the store's
// (store/messaging/, store/campaigns/): import those from there.
export { MessagingService } from './messaging-service.js';
export type { MessagingDeps, DeviceChangedHook } from './messaging-deps.js';
export { queuePush, type QueuePushInput, type QueuedPush, type PushJobPayload } from './push-queue.js';
export {
  applyDeliveryMetric,
  type ClientPushMetric,
  type DeliveryMetricInput,
  type DeliveryMetricResult,
} from './delivery/delivery-metrics.js';
export { DeliveryWorker, type DeliveryWorkerOptions, type RunStats } from './delivery/delivery-worker.js';
export {
  ProviderRegistry,
  defaultProviderFactory,
  type ProviderFactory,
  type ProviderSettings,
} from './providers/provider-registry.js';
export {
  renderTemplate,
  TemplateRenderer,
  DEFAULT_TEMPLATE_LIMITS,
  type TemplateLimits,
} from './templates/template-render.js';
export { buildTemplateContext, type TemplateContext } from './templates/template-context.js';
export { loadTemplateObjects, TEMPLATE_OBJECTS_PER_TYPE } from './templates/template-objects.js';
export { TemplateSyntaxError, TemplateRenderError } from './templates/template-errors.js';
export {
  renderPushTemplate,
  validatePushTemplate,
  type PushTemplate,
  type PushContent,
} from './templates/push-template.js';
export type { ApnsConfig } from './providers/apns-provider.js';
export type { FcmConfig } from './providers/fcm-provider.js';
export {
  DEFAULT_LOG_RULES,
  LOG_RULE_OUTCOMES,
  MAX_LOG_PREFIX,
  MAX_LOG_RULES,
  type LogConfig,
  type LogRule,
  type LogRuleOutcome,
} from './providers/log-provider.js';
export type { ServiceAccount } from './providers/fcm-access-token.js';
export type { CustomPayload, PushProvider, SendOutcome } from './providers/provider-types.js';
