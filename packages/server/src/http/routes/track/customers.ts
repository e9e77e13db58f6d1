import {
  TrackDeviceBody,
  TrackDeviceParams,
  TrackEventBody,
  TrackIdentifyBody,
  TrackOk,
  TrackPersonParams,
} from '@roster/protocol';
import { documented } from '../../route-schema.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IdentityGuard, SIGNATURE_HEADER } from '../../../services/identity/guard.js';
import type { Workspace } from '../../../store/workspaces/workspace.js';
import type { Services } from '../../../services/services.js';
import { v1 } from '../../../services/track/v1.js';
import { trackAuth, workspaceOf } from '../../auth.js';
import { ok, sourceOf, trackErrorHandler } from './respond.js';
import type { LaneRoute } from '../../fast-lane.js';

type IdParams = { identifier: string };

/**
 * The person writes the Track fast lane (http/fast-lane.ts) answers as well: the routes below make
 * their writes with these same functions, so both paths run the same write.
 */
export const customerLaneRoutes = {
  identify: {
    method: 'PUT',
    suffix: '',
    pattern: '/api/v1/customers/:identifier',
    write: (ws, identifier, body) => v1.identify(ws, identifier, body),
  },
  device: {
    method: 'PUT',
    suffix: '/devices',
    pattern: '/api/v1/customers/:identifier/devices',
    write: (ws, identifier, body) => v1.addDevice(ws, identifier, body),
  },
  event: {
    method: 'POST',
    suffix: '/events',
    pattern: '/api/v1/customers/:identifier/events',
    write: (ws, identifier, body) => v1.event(ws, identifier, body),
  },
} satisfies Record<string, LaneRoute>;

/** `/api/v1/customers/:identifier…`: identify, delete, devices, suppress, unsuppress, events (docs/track-api.md §2). */
export function registerCustomerRoutes(app: FastifyInstance, services: Services): void {
  const { track, workspaces } = services;
  const base = { onRequest: trackAuth(workspaces), errorHandler: trackErrorHandler() };
  const ok200 = { 200: TrackOk };
  const src = (r: Parameters<typeof sourceOf>[0]) => sourceOf(r, 'track_v1');
  const guard = new IdentityGuard(services.clock, services.metrics);
  /** The authenticated workspace, once the person in the path passes signed identify. */
  const signed = (request: FastifyRequest<{ Params: IdParams }>): Workspace => {
    const ws = workspaceOf(request);
    const header = request.headers[SIGNATURE_HEADER];
    guard.person(
      ws,
      request.params.identifier,
      typeof header === 'string' ? header : undefined,
      SIGNATURE_HEADER,
    );
    return ws;
  };

  const { identify, device, event } = customerLaneRoutes;
  app.put<{ Params: IdParams }>(
    identify.pattern,
    {
      ...base,
      ...documented({
        summary: 'Identify a person (create or update attributes)',
        params: TrackPersonParams,
        body: TrackIdentifyBody,
        response: ok200,
      }),
    },
    async (request, reply) => {
      const ws = signed(request);
      await track.execute(ws, src(request), identify.write(ws, request.params.identifier, request.body));
      return ok(reply);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/api/v1/customers/:identifier',
    { ...base, ...documented({ summary: 'Delete a person', params: TrackPersonParams, response: ok200 }) },
    async (request, reply) => {
      const ws = signed(request);
      await track.execute(ws, src(request), v1.deletePerson(ws, request.params.identifier));
      return ok(reply);
    },
  );

  app.put<{ Params: IdParams }>(
    device.pattern,
    {
      ...base,
      ...documented({
        summary: 'Add or update a device',
        params: TrackPersonParams,
        body: TrackDeviceBody,
        response: ok200,
      }),
    },
    async (request, reply) => {
      const ws = signed(request);
      await track.execute(ws, src(request), device.write(ws, request.params.identifier, request.body));
      return ok(reply);
    },
  );

  app.delete<{ Params: IdParams & { device_id: string } }>(
    '/api/v1/customers/:identifier/devices/:device_id',
    { ...base, ...documented({ summary: 'Delete a device', params: TrackDeviceParams, response: ok200 }) },
    async (request, reply) => {
      const ws = signed(request);
      const { identifier, device_id } = request.params;
      await track.execute(ws, src(request), v1.deleteDevice(ws, identifier, device_id));
      return ok(reply);
    },
  );

  app.post<{ Params: IdParams }>(
    '/api/v1/customers/:identifier/suppress',
    {
      ...base,
      ...documented({
        summary: 'Suppress a person (delete and refuse them from now on)',
        params: TrackPersonParams,
        response: ok200,
      }),
    },
    async (request, reply) => {
      const ws = signed(request);
      await track.execute(ws, src(request), v1.suppress(ws, request.params.identifier));
      return ok(reply);
    },
  );

  app.post<{ Params: IdParams }>(
    '/api/v1/customers/:identifier/unsuppress',
    {
      ...base,
      ...documented({ summary: 'Unsuppress a person', params: TrackPersonParams, response: ok200 }),
    },
    async (request, reply) => {
      const ws = signed(request);
      await track.execute(ws, src(request), v1.unsuppress(ws, request.params.identifier));
      return ok(reply);
    },
  );

  app.post<{ Params: IdParams }>(
    event.pattern,
    {
      ...base,
      ...documented({
        summary: 'Track an event of a person',
        params: TrackPersonParams,
        body: TrackEventBody,
        response: ok200,
      }),
    },
    async (request, reply) => {
      const ws = signed(request);
      await track.execute(ws, src(request), event.write(ws, request.params.identifier, request.body));
      return ok(reply);
    },
  );
}
