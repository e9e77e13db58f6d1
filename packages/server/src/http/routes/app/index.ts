import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/services.js';
import { appAuth } from '../../auth.js';
import { registerActivityRoutes } from './activities.js';
import { registerAttributeIndexRoutes } from './attribute-indexes.js';
import type { AppRouteContext } from './context.js';
import { registerCustomerRoutes } from './customers.js';
import { registerMessageRoutes } from './messages.js';
import { registerObjectRoutes } from './objects.js';
import { registerPipelinesErrorRoutes } from './pipelines-errors.js';
import { AppRateLimiter } from './rate-limit.js';
import { registerSegmentRoutes } from './segments.js';
import { registerWebhookRoutes } from './webhooks.js';
import { registerMessagingRoutes } from '../messaging/index.js';

export interface AppApiOptions {
  /** Requests per second per workspace when the workspace sets none; 0 = off. */
  defaultRateLimit?: number;
}

/**
 * The App API (docs/app-api.md) under `/v1`, and again under the legacy `/v1/api` prefix.
 * Routes are added directly (not through `register`) so the 405 tracker sees them before
 * `buildApp` finishes.
 */
export function registerAppApiRoutes(
  app: FastifyInstance,
  services: Services,
  options: AppApiOptions = {},
): void {
  const limiter = new AppRateLimiter(services.clock, options.defaultRateLimit ?? 0);
  const guard = [appAuth(services.workspaces), limiter.hook()];
  const ctx: AppRouteContext = {
    app,
    services: services.app,
    guard,
    route: (schema) => ({ onRequest: guard, schema }),
    prefixes: ['/v1', '/v1/api'],
  };
  registerCustomerRoutes(ctx);
  registerActivityRoutes(ctx);
  registerSegmentRoutes(ctx);
  registerMessageRoutes(ctx);
  registerObjectRoutes(ctx);
  registerMessagingRoutes(ctx, services);
  registerPipelinesErrorRoutes(ctx, services.pipelines);
  registerAttributeIndexRoutes(ctx);
  registerWebhookRoutes(ctx, services.webhooks);
}
