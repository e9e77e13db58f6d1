import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { InvalidInputError, NotFoundError, UnprocessableError } from '../../lib/errors.js';
import { parseWorkspaceFilter } from '../../filter/workspace-filter.js';
import { broadcastTriggerById, insertBroadcastTrigger } from '../../store/campaigns/broadcasts.js';
import { pidsByIdentifier } from '../../store/people/people-read.js';
import { existingSegmentIds } from '../../store/segments/segments-read.js';
import { toJson, type Store, type Tx } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { CampaignService } from './campaigns.js';
import { emailKey } from '../../lib/email.js';

/** Most people an explicit list (`ids`, `emails`, `per_user_data`) may name (Customer.io: 10 000). */
export const MAX_LIST = 10_000;

/**
 * An object-triggered campaign's fan-out: the object's related people that `filter` (a person
 * filter pinned to the object) matches, each with their relationship (`{{ trigger.relationship }}`).
 */
export interface ObjectAudience {
  object_oid: number;
  filter: unknown;
}

/**
 * Who a broadcast trigger goes to: the people a filter matches, a list (with per-person data), or
 * an object's people (a campaign triggered by an object's change).
 */
export type Audience =
  { filter: unknown } | { people: Array<{ pid: number; data?: Record<string, unknown> }> } | ObjectAudience;

export interface BroadcastTriggerView {
  id: number;
  campaign_id: number;
  status: string;
  queued: number;
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unprocessable(triggerless: string, pointer: string): InvalidInputError {
  return new UnprocessableError(pointer, triggerless);
}

/**
 * `POST /v1/campaigns/:id/triggers`: validates the audience, records a `broadcast_triggers` row
 * (pending) and returns its id; the `BroadcastRunner` fans it out.
 */
export class BroadcastService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
    /** After a trigger commits: wakes the broadcast fan-out (`MessagingRuntime.nudgeBroadcasts`). */
    private readonly onTriggered: () => void = () => {},
  ) {}

  async trigger(ws: Workspace, rawId: string, body: unknown): Promise<{ id: number }> {
    const b = body === undefined || body === null ? {} : body;
    if (!isObject(b)) throw new InvalidInputError('/', 'request body must be a JSON object');
    const id = /^\d+$/.test(rawId) && rawId.length < 16 ? Number(rawId) : null;
    const now = unixSeconds(this.clock);
    const created = await this.store.transaction(async (trx) => {
      const campaign = await this.campaigns.byId(trx, ws.id, id);
      if (!campaign || campaign.type !== 'broadcast') throw new NotFoundError();
      if (b.data !== undefined && b.data !== null && !isObject(b.data))
        throw new InvalidInputError('/data', 'data must be an object');
      const data = (b.data as Record<string, unknown> | undefined) ?? {};
      const audience = await this.audience(trx, ws, b, campaign.filter, campaign.id);
      const triggerId = await insertBroadcastTrigger(
        trx,
        { workspaceId: ws.id, campaignId: campaign.id, data: toJson(data), audience: toJson(audience) },
        now,
      );
      return { id: triggerId };
    });
    this.onTriggered();
    return created;
  }

  async getTrigger(ws: Workspace, rawCampaign: string, rawTrigger: string): Promise<BroadcastTriggerView> {
    if (!/^\d+$/.test(rawCampaign) || !/^\d+$/.test(rawTrigger)) throw new NotFoundError();
    const row = await broadcastTriggerById(this.store.db, ws.id, Number(rawCampaign), Number(rawTrigger));
    if (!row) throw new NotFoundError();
    return {
      id: Number(row.id),
      campaign_id: Number(row.campaign_id),
      status: row.status,
      queued: Number(row.queued),
      error: row.error,
      created_at: Number(row.created_at),
      finished_at: row.finished_at === null ? null : Number(row.finished_at),
    };
  }

  private async audience(
    trx: Tx,
    ws: Workspace,
    b: Record<string, unknown>,
    campaignFilter: unknown,
    campaignId: number,
  ): Promise<Audience> {
    if (b.data_file_url !== undefined)
      throw new InvalidInputError(
        '/data_file_url',
        'data_file_url is not supported by Roster',
        'unsupported',
      );
    if (b.recipients !== undefined && b.recipients !== null) {
      await parseWorkspaceFilter(b.recipients, (ids) => existingSegmentIds(trx, ws.id, ids), '/recipients');
      return { filter: b.recipients };
    }
    const list = (key: 'ids' | 'emails' | 'per_user_data') => {
      const v = b[key];
      if (!Array.isArray(v)) throw new InvalidInputError(`/${key}`, `${key} must be an array`);
      if (v.length > MAX_LIST)
        throw new InvalidInputError(`/${key}`, `${key} takes at most ${MAX_LIST} entries`, 'too_long');
      return v as unknown[];
    };
    const text = (v: unknown, at: string): string => {
      if (typeof v === 'string' && v !== '') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      throw new InvalidInputError(at, 'every entry must be a non-empty string');
    };
    let wanted: Array<{ column: 'id' | 'email_norm'; value: string; data?: Record<string, unknown> }> | null =
      null;
    let ignoreMissing = false;
    if (b.ids !== undefined) {
      wanted = list('ids').map((v, i) => ({ column: 'id', value: text(v, `/ids/${i}`) }));
      ignoreMissing = b.id_ignore_missing === true;
    } else if (b.emails !== undefined) {
      wanted = list('emails').map((v, i) => ({
        column: 'email_norm',
        value: emailKey(text(v, `/emails/${i}`)),
      }));
      ignoreMissing = b.email_ignore_missing === true;
    } else if (b.per_user_data !== undefined) {
      wanted = list('per_user_data').map((v, i) => {
        if (!isObject(v))
          throw new InvalidInputError(`/per_user_data/${i}`, 'each entry must be {id|email, data}');
        const data = v.data === undefined || v.data === null ? undefined : v.data;
        if (data !== undefined && !isObject(data))
          throw new InvalidInputError(`/per_user_data/${i}/data`, 'data must be an object');
        return v.id !== undefined
          ? { column: 'id' as const, value: text(v.id, `/per_user_data/${i}/id`), ...(data ? { data } : {}) }
          : {
              column: 'email_norm' as const,
              value: emailKey(text(v.email, `/per_user_data/${i}/email`)),
              ...(data ? { data } : {}),
            };
      });
      ignoreMissing = b.id_ignore_missing === true || b.email_ignore_missing === true;
    }
    if (wanted === null) {
      if (campaignFilter === null || campaignFilter === undefined)
        throw new InvalidInputError(
          '/recipients',
          'this broadcast has no audience: give recipients, ids, emails or per_user_data, or set the campaign filter',
          'required',
        );
      return { filter: campaignFilter };
    }
    const found = new Map<string, number>();
    for (const column of ['id', 'email_norm'] as const) {
      const values = [...new Set(wanted.filter((w) => w.column === column).map((w) => w.value))];
      for (const [value, pid] of await pidsByIdentifier(trx, ws.id, column, values))
        found.set(`${column}:${value}`, pid);
    }
    const people: Array<{ pid: number; data?: Record<string, unknown> }> = [];
    const seen = new Set<number>();
    const missing: string[] = [];
    for (const w of wanted) {
      const pid = found.get(`${w.column}:${w.value}`);
      if (pid === undefined) missing.push(w.value);
      else if (!seen.has(pid)) {
        seen.add(pid);
        people.push({ pid, ...(w.data ? { data: w.data } : {}) });
      }
    }
    if (missing.length > 0 && !ignoreMissing)
      throw unprocessable(
        `Errors were found while processing the recipients for broadcast ${campaignId}: ${missing.length} not found (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`,
        b.ids !== undefined ? '/ids' : b.emails !== undefined ? '/emails' : '/per_user_data',
      );
    return { people };
  }
}
