import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/services.js';
import { registerCustomerRoutes } from './customers.js';
import { registerOtherTrackRoutes } from './other.js';
import { registerTrackV2Routes } from './v2.js';

export interface TrackRouteOptions {
  /** Requests/s per client address on the routes that need no key (unauthenticated ones); 0 = off. */
  publicRateLimit?: number;
  /** ROSTER_PUBLIC_URL's origin: what `/api/v1/accounts/region` names (never the Host header). */
  publicUrl?: string | undefined;
}

/** Every Track API route (v1, v2 and the root ones). Registered synchronously so 405s cover them. */
export function registerTrackRoutes(
  app: FastifyInstance,
  services: Services,
  options: TrackRouteOptions = {},
): void {
  registerCustomerRoutes(app, services);
  registerOtherTrackRoutes(app, services, options);
  registerTrackV2Routes(app, services);
}
