import type {
  AppSegment,
  CustomerSegmentsResponse,
  SegmentMembershipPage,
  SegmentUsedBy,
} from '@roster/protocol';
import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { parseJson, type Store } from '../../store/store.js';
import {
  deleteSegment,
  insertSegment,
  memberCount,
  membersPage,
  segmentById,
  segmentsOf,
  segmentsOfPerson,
  updateSegmentText,
  type SegmentRow,
} from '../../store/segments/segments-read.js';
import { toJson } from '../../store/store.js';
import { bumpCatalogVersion } from '../../store/segments/segment-tables.js';
import { backfillExits } from '../../store/segments/segment-backfill.js';
import { MATCHES_NO_ONE } from '../../store/filter/compile-filter.js';
import { SegmentDefinitions } from './definitions.js';
import { explainMembership, type SegmentExplanation } from './explain.js';
import { segmentHistory, type SizePoint } from './history.js';
import { loadDynamicSegments } from './catalog.js';
import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import { catchingUp } from '../../store/segments/segment-sets.js';
import { filterNeeds } from '../../filter/ast.js';
import { parseFilter } from '../../filter/parse-filter.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { decodePidCursor, encodeCursor } from '../query/cursor.js';
import type { IdType } from '../query/id-type.js';
import type { PeopleReadService } from '../people/people-read.js';
import type { CountConditions, SegmentCreate, SegmentWrite } from './segment-input.js';

/**
 * A manual segment is always `finished`; dynamic ones too once memberships are current.
 * `conditions` (Roster's addition; null for manual segments) is the definition as it was saved,
 * so a reader can show and edit it; Customer.io clients ignore the extra field.
 */
export function segmentView(row: SegmentRow): AppSegment {
  const tags = parseJson<string[] | null>(row.tags);
  const conditions =
    row.type === 'dynamic' && row.conditions !== null
      ? parseJson<AppSegment['conditions']>(row.conditions)
      : null;
  return {
    id: Number(row.id),
    deduplicate_id: `${row.id}:${row.updated_at}`,
    name: row.name,
    description: row.description,
    state: 'finished',
    progress: null,
    type: row.type === 'dynamic' ? 'dynamic' : 'manual',
    tags: Array.isArray(tags) && tags.length > 0 ? tags : null,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    conditions,
  };
}

/** Segment ids in paths: positive integers; anything else names no segment (404). */
export function parseSegmentId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) <= 0) throw new NotFoundError();
  return Number(raw);
}

/** Segments as the App API sees them: list, create (manual), read, delete, counts, members. */
export class SegmentsService {
  private readonly definitions: SegmentDefinitions;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly people: PeopleReadService,
  ) {
    this.definitions = new SegmentDefinitions(store, clock);
  }

  async list(workspace: Workspace): Promise<AppSegment[]> {
    return (await segmentsOf(this.store.db, workspace.id)).map(segmentView);
  }

  /**
   * `GET /v1/segments/:id`: while an object change's background batches are still bringing the
   * memberships of a segment with object conditions up to date, `state` is `building` and
   * `catching_up` true.
   */
  async view(workspace: Workspace, id: number): Promise<AppSegment> {
    const row = await this.get(workspace, id);
    const view = segmentView(row);
    if (row.type !== 'dynamic' || row.conditions === null) return view;
    const types = [...filterNeeds(parseFilter(parseJson(row.conditions), '/segment/conditions')).objectTypes];
    if (!(await catchingUp(this.store.db, workspace.id, types))) return view;
    return { ...view, state: 'building', catching_up: true };
  }

  async get(workspace: Workspace, id: number): Promise<SegmentRow> {
    const row = await segmentById(this.store.db, workspace.id, id);
    if (!row) throw new NotFoundError();
    return row;
  }

  /**
   * `POST /v1/segments`: without `conditions` a manual segment (docs/app-api.md "Segments"); with
   * them a dynamic one, whose members are backfilled before the answer (docs/segments.md).
   */
  async create(workspace: Workspace, segment: SegmentCreate): Promise<AppSegment> {
    const { name, description } = segment;
    const now = unixSeconds(this.clock);
    if (segment.conditions === undefined || segment.conditions === null) {
      const row = await insertSegment(this.store.db, {
        workspaceId: workspace.id,
        name,
        description: description ?? '',
        now,
      });
      return segmentView(row);
    }
    const row = await this.definitions.exclusive(workspace.id, async (trx) => {
      await this.definitions.validate(trx, workspace.id, segment.conditions, '/segment/conditions');
      const inserted = await insertSegment(trx, {
        workspaceId: workspace.id,
        name,
        description: description ?? '',
        now,
        conditions: toJson(segment.conditions),
      });
      await this.definitions.storeConditions(
        trx,
        workspace.id,
        Number(inserted.id),
        segment.conditions,
        true,
      );
      return (await segmentById(trx, workspace.id, Number(inserted.id)))!;
    });
    return segmentView(row);
  }

  /** `PUT /v1/segments/:id`: name, description, and (dynamic segments) conditions, re-backfilled. */
  async update(workspace: Workspace, id: number, segment: SegmentWrite): Promise<AppSegment> {
    const { name, description, conditions } = segment;
    const row = await this.definitions.exclusive(workspace.id, async (trx) => {
      const current = await segmentById(trx, workspace.id, id);
      if (!current) throw new NotFoundError();
      const hasConditions = conditions !== undefined && conditions !== null;
      // A segment's type is fixed when it is created (docs/segments.md "Manual or dynamic"):
      // converting would have to decide what happens to hand-added members, so it is refused.
      if (hasConditions && current.type !== 'dynamic')
        throw new InvalidInputError(
          '/segment/conditions',
          'a manual segment cannot take conditions: create a new segment with conditions instead',
        );
      if (conditions === null && current.type === 'dynamic')
        throw new InvalidInputError(
          '/segment/conditions',
          "a dynamic segment's conditions cannot be removed: create a manual segment instead",
        );
      const now = unixSeconds(this.clock);
      const patch: { name?: string; description?: string } = {};
      if (name !== undefined) patch.name = name;
      if (description !== undefined) patch.description = description;
      await updateSegmentText(trx, workspace.id, id, patch, now);
      if (hasConditions) {
        await this.definitions.validate(trx, workspace.id, conditions, '/segment/conditions', id);
        await this.definitions.storeConditions(trx, workspace.id, id, conditions, false);
      } else if (name !== undefined && current.type === 'dynamic') {
        // Activities carry the segment's name: writes must see the new one.
        await bumpCatalogVersion(trx, workspace.id);
      }
      return (await segmentById(trx, workspace.id, id))!;
    });
    return segmentView(row);
  }

  /**
   * Deletes a segment and its memberships (no exit activities: the segment is gone, not its
   * members' state). A segment other dynamic segments refer to cannot be deleted (400). Customer.io
   * deletes only manual segments through this route (docs/app-api.md "Segments"), so a dynamic one
   * needs `?dynamic=true` (400 without).
   */
  async delete(workspace: Workspace, id: number, allowDynamic = false): Promise<void> {
    const current = await this.get(workspace, id);
    if (current.type !== 'manual' && !allowDynamic)
      throw new InvalidInputError(
        'segment_id',
        'only manual segments can be deleted through the App API (add ?dynamic=true to delete a dynamic one)',
      );
    await this.definitions.exclusive(workspace.id, async (trx) => {
      const users = (await loadDynamicSegments(trx, workspace.id)).filter((s) => s.needs.segments.has(id));
      if (users.length > 0)
        throw new InvalidInputError(
          'segment_id',
          `segment ${id} is used by the conditions of segment ${users.map((u) => u.id).join(', ')}`,
        );
      const row = await segmentById(trx, workspace.id, id);
      // Its members leave it: each gets an exited_segment, as when a condition stops holding.
      if (row)
        await backfillExits(
          trx,
          this.store.dialect,
          { workspaceId: workspace.id, segmentId: id, segmentName: row.name },
          MATCHES_NO_ONE,
          unixSeconds(this.clock),
        );
      await deleteSegment(trx, workspace.id, id);
      if (row?.type === 'dynamic') await bumpCatalogVersion(trx, workspace.id);
    });
  }

  /** `POST /v1/segments/count`: how many people match conditions (the dashboard's live count). */
  async countConditions(workspace: Workspace, { conditions }: CountConditions): Promise<{ count: number }> {
    return { count: await this.definitions.count(workspace.id, conditions, '/conditions') };
  }

  /** `GET /v1/segments/:id/history?interval=3600`: size over time. */
  async history(
    workspace: Workspace,
    id: number,
    interval: string | undefined,
  ): Promise<{ points: SizePoint[] }> {
    await this.get(workspace, id);
    const seconds = interval === undefined || interval === '' ? 3600 : Number(interval);
    if (!Number.isSafeInteger(seconds) || seconds < 60 || seconds > 31_536_000)
      throw new InvalidInputError('interval', 'interval must be a number of seconds from 60 to 31536000');
    return {
      points: await segmentHistory(this.store.db, workspace.id, id, seconds, unixSeconds(this.clock)),
    };
  }

  /** `GET /v1/segments/:id/explain?customer_id=…&id_type=…`: why the person is in or out. */
  async explain(
    workspace: Workspace,
    id: number,
    idType: IdType,
    customerId: string | undefined,
  ): Promise<SegmentExplanation> {
    const row = await this.get(workspace, id);
    if (customerId === undefined || customerId === '')
      throw new InvalidInputError('customer_id', 'customer_id is required', 'required');
    const person = await this.people.resolve(workspace, idType, customerId);
    return explainMembership(this.store.db, row, person.pid, unixSeconds(this.clock));
  }

  async count(workspace: Workspace, id: number): Promise<{ count: number; segment_id: number }> {
    await this.get(workspace, id);
    return { count: await memberCount(this.store.db, workspace.id, id), segment_id: id };
  }

  async membership(
    workspace: Workspace,
    id: number,
    start: string | undefined,
    limit: number,
  ): Promise<SegmentMembershipPage> {
    await this.get(workspace, id);
    const rows = await membersPage(this.store.db, workspace.id, id, decodePidCursor(start), limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      // Key order as documented for membership: email, id, cio_id.
      identifiers: page.map((r) => ({ email: r.email, id: r.id, cio_id: r.cio_id })),
      ids: page.map((r) => r.id ?? ''),
      next: rows.length > limit && last ? encodeCursor('p', last.pid) : '',
      segment_id: id,
    };
  }

  /** Roster has no campaigns or newsletters yet, so nothing uses a segment. */
  async usedBy(workspace: Workspace, id: number): Promise<SegmentUsedBy> {
    await this.get(workspace, id);
    return { segment_id: id, used_by: { campaigns: [], sent_newsletters: [], draft_newsletters: [] } };
  }

  async ofCustomer(workspace: Workspace, idType: IdType, value: string): Promise<CustomerSegmentsResponse> {
    const person = await this.people.resolve(workspace, idType, value);
    const rows = await segmentsOfPerson(this.store.db, workspace.id, person.pid);
    return { segments: rows.map((r) => ({ id: Number(r.id), name: r.name, description: r.description })) };
  }
}
