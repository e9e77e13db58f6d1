import { TrackOk, TrackV2BatchBody, TrackV2BatchPartial, TrackV2Operation } from '@roster/protocol';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/services.js';
import { MAX_BATCH_BYTES, MAX_ENTITY_BYTES } from '../../../services/track/v2-service.js';
import { trackAuth, workspaceOf } from '../../auth.js';
import { documented } from '../../route-schema.js';
import { json, ok, sourceOf, trackErrorHandler, v2Errors } from './respond.js';

/** `POST /api/v2/entity` and `POST /api/v2/batch` (docs/track-api.md §2): the writes are `services.trackV2`'s. */
export function registerTrackV2Routes(app: FastifyInstance, services: Services): void {
  const { trackV2, workspaces } = services;
  const auth = { onRequest: trackAuth(workspaces), errorHandler: trackErrorHandler() };

  app.post(
    '/api/v2/entity',
    {
      ...auth,
      bodyLimit: MAX_ENTITY_BYTES,
      ...documented({
        summary: 'Apply one v2 operation (identify, event, device, merge, delete…)',
        body: TrackV2Operation,
        response: { 200: TrackOk },
      }),
    },
    async (request, reply) => {
      await trackV2.entity(workspaceOf(request), sourceOf(request, 'track_v2'), request.body);
      return ok(reply);
    },
  );

  app.post(
    '/api/v2/batch',
    {
      ...auth,
      bodyLimit: MAX_BATCH_BYTES,
      ...documented({
        summary: 'Apply a batch of v2 operations (207 lists the failed ones; the others are applied)',
        body: TrackV2BatchBody,
        response: { 200: TrackOk, 207: TrackV2BatchPartial },
      }),
    },
    async (request, reply) => {
      const failures = await trackV2.batch(
        workspaceOf(request),
        sourceOf(request, 'track_v2'),
        request.body,
        Number(request.headers['content-length']),
      );
      if (failures.length === 0) return ok(reply);
      const errors: TrackV2BatchPartial['errors'] = failures.flatMap(({ index, error }) =>
        v2Errors(error).map((e) => ({ batch_index: index, ...e })),
      );
      return json(reply, 207, { errors });
    },
  );
}
