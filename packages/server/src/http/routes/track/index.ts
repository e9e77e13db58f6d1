import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/services.js';
import { registerCustomerRoutes } from './customers.js';
import { registerOtherTrackRoutes } from './other.js';
import { registerTrackV2Routes } from './v2.js';

/** Every Track API route (v1, v2 and the root ones). Registered synchronously so 405s cover them. */
export function registerTrackRoutes(app: FastifyInstance, services: Services): void {
  registerCustomerRoutes(app, services);
  registerOtherTrackRoutes(app, services);
  registerTrackV2Routes(app, services);
}
