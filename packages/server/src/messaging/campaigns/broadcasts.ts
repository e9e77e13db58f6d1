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
import type { AudienceInput, BroadcastTrigger, WantedPerson } from './broadcast-input.js';

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

  async trigger(ws: Workspace, rawId: string, command: BroadcastTrigger): Promise<{ id: number }> {
    const id = /^\d+$/.test(rawId) && rawId.length < 16 ? Number(rawId) : null;
    const now = unixSeconds(this.clock);
    const created = await this.store.transaction(async (trx) => {
      const campaign = await this.campaigns.byId(trx, ws.id, id);
      if (!campaign || campaign.type !== 'broadcast') throw new NotFoundError();
      const audience = await this.audience(trx, ws, command.audience, campaign.filter, campaign.id);
      const triggerId = await insertBroadcastTrigger(
        trx,
        {
          workspaceId: ws.id,
          campaignId: campaign.id,
          data: toJson(command.data),
          audience: toJson(audience),
        },
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

  /** The audience as stored: a checked filter, or the people a list names (each once). */
  private async audience(
    trx: Tx,
    ws: Workspace,
    input: AudienceInput,
    campaignFilter: unknown,
    campaignId: number,
  ): Promise<Audience> {
    if (input.kind === 'filter') {
      await parseWorkspaceFilter(input.filter, (ids) => existingSegmentIds(trx, ws.id, ids), '/recipients');
      return { filter: input.filter };
    }
    if (input.kind === 'campaign') {
      if (campaignFilter === null || campaignFilter === undefined)
        throw new InvalidInputError(
          '/recipients',
          'this broadcast has no audience: give recipients, ids, emails or per_user_data, or set the campaign filter',
          'required',
        );
      return { filter: campaignFilter };
    }
    const { people, missing } = await lookUpPeople(trx, ws, input.wanted);
    if (missing.length > 0 && !input.ignoreMissing)
      throw new UnprocessableError(
        `/${input.field}`,
        `Errors were found while processing the recipients for broadcast ${campaignId}: ${missing.length} not found (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`,
      );
    return { people };
  }
}

/** The people a list names, in its order and each once, and the values nobody has. */
async function lookUpPeople(
  trx: Tx,
  ws: Workspace,
  wanted: WantedPerson[],
): Promise<{ people: Array<{ pid: number; data?: Record<string, unknown> }>; missing: string[] }> {
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
  return { people, missing };
}
