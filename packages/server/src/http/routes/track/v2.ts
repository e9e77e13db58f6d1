import { TrackOk, TrackV2BatchBody, TrackV2BatchPartial, TrackV2Operation } from '@roster/protocol';
import type { FastifyInstance } from 'fastify';
import { InvalidInputError } from '../../../lib/errors.js';
import { IdentityGuard, v2Identity } from '../../../services/identity/guard.js';
import type { Workspace } from '../../../store/workspaces/workspace.js';
import type { Services } from '../../../services/services.js';
import type { TrackWrite } from '../../../services/track/context.js';
import { parseV2 } from '../../../services/track/v2.js';
import { trackAuth, workspaceOf } from '../../auth.js';
import { documented } from '../../route-schema.js';
import { json, ok, sourceOf, trackErrorHandler, v2Errors } from './respond.js';

/** v2 size limits (docs/track-api.md §1): entity and each batch item < 32 KB, the batch < 500 KB. */
export const MAX_ENTITY_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

/** `POST /api/v2/entity` and `POST /api/v2/batch` (docs/track-api.md §2). */
export function registerTrackV2Routes(app: FastifyInstance, services: Services): void {
  const { track, workspaces } = services;
  const auth = { onRequest: trackAuth(workspaces), errorHandler: trackErrorHandler() };
  const guard = new IdentityGuard(services.clock, services.metrics);
  /** Signed identify for one operation: its `identity_signature` beside `identifiers`. */
  const checkSignature = (ws: Workspace, op: unknown): void => {
    const need = v2Identity(op);
    if (need === 'anonymous') return;
    if (need === 'unsignable') return guard.unsignable(ws, 'merging people');
    const sig = (op as { identity_signature?: unknown }).identity_signature;
    guard.person(ws, need.identifier, typeof sig === 'string' ? sig : undefined, 'identity_signature');
  };

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
      const ws = workspaceOf(request);
      if (request.body === undefined) throw new InvalidInputError('', 'request body is required', 'required');
      checkSignature(ws, request.body);
      await track.execute(ws, sourceOf(request, 'track_v2'), parseV2(request.body, ws));
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
      const ws = workspaceOf(request);
      const batch = (request.body as { batch?: unknown } | undefined)?.batch;
      if (!Array.isArray(batch))
        throw new InvalidInputError('batch', 'batch must be an array of operations', 'required');
      const source = sourceOf(request, 'track_v2');
      const errors: TrackV2BatchPartial['errors'] = [];
      // Items are independent: only failed ones are reported (207), the others commit. They are
      // validated first, then applied in order in one transaction (`executeBatch`: a refused item
      // rolls back only itself) rather than one transaction each — the bulk of a batch's cost.
      const writes: TrackWrite[] = [];
      const indexes: number[] = [];
      // The 32 KB limit is on what a client sent, so a body of at most 32 KB has no item over it.
      // Larger bodies measure each item as JSON again (for 100 small items that cost as much as
      // parsing the whole body), which can count more than was sent (`1e20` is 21 bytes as JSON):
      // an item near the limit may pass in a small batch and not in a large one.
      const sent = Number(request.headers['content-length']);
      const measure = !(sent <= MAX_ENTITY_BYTES);
      for (const [index, item] of batch.entries()) {
        try {
          if (measure && Buffer.byteLength(JSON.stringify(item) ?? '') > MAX_ENTITY_BYTES)
            throw new InvalidInputError('', 'operation is larger than 32 KB', 'too_large');
          // A refused signature is this item's `forbidden` error; the other items are written.
          checkSignature(ws, item);
          writes.push(parseV2(item, ws));
          indexes.push(index);
        } catch (err) {
          if (!(err instanceof InvalidInputError)) throw err;
          for (const e of v2Errors(err)) errors.push({ batch_index: index, ...e });
        }
      }
      const failures = await track.executeBatch(ws, source, writes);
      for (const [i, err] of failures)
        for (const e of v2Errors(err)) errors.push({ batch_index: indexes[i]!, ...e });
      // In item order, as when each item ran on its own (sort is stable: an item's errors keep theirs).
      errors.sort((a, b) => a.batch_index - b.batch_index);
      return errors.length > 0 ? json(reply, 207, { errors }) : ok(reply);
    },
  );
}
