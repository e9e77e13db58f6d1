import {
  CountConditionsBody,
  CountResponse,
  NoContent,
  PageQuery,
  SegmentDeleteQuery,
  SegmentExplainQuery,
  SegmentExplanation,
  SegmentHistory,
  SegmentHistoryQuery,
  SegmentList,
  SegmentMembershipPage,
  SegmentCount,
  SegmentParams,
  SegmentResponse,
  SegmentUsedBy,
  SegmentWriteBody,
} from '@roster/protocol';

import { workspaceOf } from '../../auth.js';
import { pageLimit } from '../../../services/query/limit.js';
import { parseSegmentId } from '../../../services/segments/segments-service.js';
import {
  parseCountConditions,
  parseSegmentCreate,
  parseSegmentUpdate,
} from '../../../services/segments/segment-input.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext } from './context.js';

/**
 * Segment routes (docs/app-api.md "Segments", docs/segments.md). Manual members are written through the Track API;
 * dynamic segments (`conditions`) are kept current by every write.
 */
export function registerSegmentRoutes(ctx: AppRouteContext): void {
  const { app, services, route, prefixes } = ctx;
  const segmentId = (request: Parameters<typeof paramOf>[0]) =>
    parseSegmentId(paramOf(request, 'segment_id'));
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/segments`,
      route({ summary: 'List segments', response: { 200: SegmentList } }),
      async (request) => ({
        segments: await services.segments.list(workspaceOf(request)),
      }),
    );

    app.post(
      `${prefix}/segments`,
      route({
        summary: 'Create a segment (manual, or dynamic with conditions)',
        body: SegmentWriteBody,
        response: { 200: SegmentResponse },
      }),
      async (request) => ({
        segment: await services.segments.create(workspaceOf(request), parseSegmentCreate(request.body)),
      }),
    );

    app.post(
      `${prefix}/segments/count`,
      route({
        summary: 'Count the people conditions match (nothing stored)',
        body: CountConditionsBody,
        response: { 200: CountResponse },
      }),
      async (request) =>
        services.segments.countConditions(workspaceOf(request), parseCountConditions(request.body)),
    );

    app.put(
      `${prefix}/segments/:segment_id`,
      route({
        summary: 'Update a segment (membership is recomputed when conditions change)',
        params: SegmentParams,
        body: SegmentWriteBody,
        response: { 200: SegmentResponse },
      }),
      async (request) => ({
        segment: await services.segments.update(
          workspaceOf(request),
          segmentId(request),
          parseSegmentUpdate(request.body),
        ),
      }),
    );
  }
  registerSegmentReadRoutes(ctx);
  registerSegmentMemberRoutes(ctx);
}

/** One segment's history, explanation, read and delete. */
function registerSegmentReadRoutes(ctx: AppRouteContext): void {
  const { app, services, route, prefixes } = ctx;
  const segmentId = (request: Parameters<typeof paramOf>[0]) =>
    parseSegmentId(paramOf(request, 'segment_id'));
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/segments/:segment_id/history`,
      route({
        summary: "A segment's size over time",
        params: SegmentParams,
        querystring: SegmentHistoryQuery,
        response: { 200: SegmentHistory },
      }),
      async (request) =>
        services.segments.history(workspaceOf(request), segmentId(request), queryOf(request).interval),
    );

    app.get(
      `${prefix}/segments/:segment_id/explain`,
      route({
        summary: 'Why a person is or is not in a segment',
        params: SegmentParams,
        querystring: SegmentExplainQuery,
        response: { 200: SegmentExplanation },
      }),
      async (request) =>
        services.segments.explain(
          workspaceOf(request),
          segmentId(request),
          idTypeOf(request),
          queryOf(request).customer_id,
        ),
    );

    app.get(
      `${prefix}/segments/:segment_id`,
      route({ summary: 'A segment', params: SegmentParams, response: { 200: SegmentResponse } }),
      async (request) => ({
        segment: await services.segments.view(workspaceOf(request), segmentId(request)),
      }),
    );

    app.delete(
      `${prefix}/segments/:segment_id`,
      route({
        summary: 'Delete a segment',
        params: SegmentParams,
        querystring: SegmentDeleteQuery,
        response: { 204: NoContent },
      }),
      async (request, reply) => {
        await services.segments.delete(
          workspaceOf(request),
          segmentId(request),
          queryOf(request).dynamic === 'true',
        );
        return reply.code(204).send();
      },
    );
  }
}

/** A segment's size, its members and what uses it. */
function registerSegmentMemberRoutes(ctx: AppRouteContext): void {
  const { app, services, route, prefixes } = ctx;
  const segmentId = (request: Parameters<typeof paramOf>[0]) =>
    parseSegmentId(paramOf(request, 'segment_id'));
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/segments/:segment_id/customer_count`,
      route({ summary: "A segment's size", params: SegmentParams, response: { 200: SegmentCount } }),
      async (request) => services.segments.count(workspaceOf(request), segmentId(request)),
    );

    app.get(
      `${prefix}/segments/:segment_id/membership`,
      route({
        summary: "A segment's members",
        params: SegmentParams,
        querystring: PageQuery,
        response: { 200: SegmentMembershipPage },
      }),
      async (request) => {
        const q = queryOf(request);
        return services.segments.membership(
          workspaceOf(request),
          segmentId(request),
          q.start,
          pageLimit(q.limit, 'membership'),
        );
      },
    );

    app.get(
      `${prefix}/segments/:segment_id/used_by`,
      route({ summary: 'What refers to a segment', params: SegmentParams, response: { 200: SegmentUsedBy } }),
      async (request) => services.segments.usedBy(workspaceOf(request), segmentId(request)),
    );
  }
}
