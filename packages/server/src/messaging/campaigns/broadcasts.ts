import { randomBytes } from 'node:crypto';
import { existingSegmentIds } from '../../store/segments/segments-read.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { PollingLoop } from '../../lib/polling-loop.js';
import { searchPeople } from '../../store/people/people-search.js';
import {
  advanceBroadcastTrigger,
  broadcastTriggerById,
  claimBroadcastTrigger,
  finishBroadcastTrigger,
  insertBroadcastTrigger,
  renewBroadcastClaim,
} from '../../store/campaigns/broadcasts.js';
import { pidsByIdentifier } from '../../store/people/people-read.js';
import { parseJson, toJson, type Store, type Tx } from '../../store/store.js';
import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import { compileFilter } from '../../store/filter/compile-filter.js';
import { parseFilter } from '../../filter/parse-filter.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { parseWorkspaceFilter } from '../../filter/workspace-filter.js';
import type { CampaignService } from './campaigns.js';

/** Most people an explicit list (`ids`, `emails`, `per_user_data`) may name (Customer.io: 10 000). */
export const MAX_LIST = 10_000;

type Audience = { filter: unknown } | { people: Array<{ pid: number; data?: Record<string, unknown> }> };

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
  return new InvalidInputError(pointer, triggerless, 'invalid', 422);
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
  ) {}

  async trigger(ws: Workspace, rawId: string, body: unknown): Promise<{ id: number }> {
    const b = body === undefined || body === null ? {} : body;
    if (!isObject(b)) throw new InvalidInputError('/', 'request body must be a JSON object');
    const id = /^\d+$/.test(rawId) && rawId.length < 16 ? Number(rawId) : null;
    const now = unixSeconds(this.clock);
    return this.store.transaction(async (trx) => {
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
        value: text(v, `/emails/${i}`).toLowerCase(),
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
              value: text(v.email, `/per_user_data/${i}/email`).toLowerCase(),
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

export interface BroadcastRunnerOptions {
  /** How long a claim on a trigger holds without a page committing. */
  leaseMs?: number;
  /** People per transaction. */
  pageSize?: number;
  pollMs?: number;
  /** Pause between pages: throttles a fan-out so other writers get the store (SQLite has one writer). */
  pauseMs?: number;
  /** Called after each committed page (to wake the delivery worker). */
  onPage?: () => void;
  log?: { error(obj: unknown, msg: string): void };
}

/**
 * Fans broadcast triggers out, one page of people per transaction: the page's `campaign_sends`
 * dedupe rows, messages and outbox rows commit together with the trigger's cursor. A process that
 * dies mid-page loses that page's transaction and nothing else; once its lease expires another
 * (or the restarted) process resumes from the cursor, and the dedupe key `b<trigger>:<pid>` makes a
 * repeated page send nothing twice.
 */
export class BroadcastRunner {
  private readonly o: Required<Omit<BroadcastRunnerOptions, 'onPage' | 'log'>> & BroadcastRunnerOptions;
  private readonly workerId = `b-${randomBytes(4).toString('hex')}`;
  private readonly poller: PollingLoop;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
    options: BroadcastRunnerOptions = {},
  ) {
    this.o = { leaseMs: 30_000, pageSize: 200, pollMs: 1_000, pauseMs: 0, ...options };
    this.poller = new PollingLoop(
      () => this.runOnce(),
      this.o.pollMs,
      (err) => this.o.log?.error({ err }, 'broadcast fan-out failed; retrying'),
    );
  }

  start(): void {
    this.poller.start();
  }

  nudge(): void {
    this.poller.nudge();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
  }

  /** Claims one due trigger and fans it out to the end (or until stopped / the lease is lost). */
  async runOnce(): Promise<boolean> {
    const claim = `${this.workerId}:${randomBytes(6).toString('hex')}`;
    const id = await this.claim(claim);
    if (id === undefined) return false;
    while (!this.poller.stopped) {
      const state = await this.page(id, claim);
      if (state !== 'more') break;
      // Let requests and the delivery worker in between pages.
      await (this.o.pauseMs > 0 ? sleep(this.o.pauseMs) : new Promise((r) => setImmediate(r)));
    }
    return true;
  }

  private async claim(claim: string): Promise<number | undefined> {
    const nowMs = this.clock.now();
    return this.store.transaction((trx) =>
      claimBroadcastTrigger(trx, this.store.dialect, claim, nowMs, nowMs + this.o.leaseMs),
    );
  }

  /** One page in one transaction; 'more' while people remain. */
  private async page(id: number, claim: string): Promise<'more' | 'done' | 'lost'> {
    const state = await this.store.transaction(async (trx) => {
      const nowMs = this.clock.now();
      const now = unixSeconds(this.clock);
      const held = await renewBroadcastClaim(trx, id, claim, nowMs + this.o.leaseMs, now);
      if (!held) return 'lost' as const;
      const finish = async (status: 'done' | 'failed', error: string | null = null) => {
        await finishBroadcastTrigger(trx, id, status, error, now);
        return 'done' as const;
      };
      const wsId = Number(held.workspace_id);
      const campaign = await this.campaigns.byId(trx, wsId, Number(held.campaign_id));
      if (!campaign) return finish('failed', 'the broadcast was deleted');
      const audience = parseJson<Audience>(held.audience);
      const data = parseJson<Record<string, unknown>>(held.data) ?? {};
      const cursor = Number(held.cursor);
      let batch: Array<{ pid: number; data?: Record<string, unknown> }>;
      let next: number;
      if ('people' in audience) {
        batch = audience.people.slice(cursor, cursor + this.o.pageSize);
        next = cursor + batch.length;
      } else {
        let predicate;
        try {
          predicate = compileFilter(parseFilter(audience.filter, '/recipients'), this.store.dialect, { now });
        } catch (err) {
          return finish('failed', `the audience filter no longer applies: ${(err as Error).message}`);
        }
        const rows = await searchPeople(trx, wsId, predicate, cursor, this.o.pageSize);
        batch = rows.map((r) => ({ pid: r.pid }));
        next = rows.length > 0 ? rows[rows.length - 1]!.pid : cursor;
      }
      if (batch.length === 0) return finish('done');
      let queued = 0;
      for (const p of batch) {
        const delivery = await this.campaigns.sendToPerson(trx, campaign, p.pid, {
          triggerKey: `b${id}:${p.pid}`,
          trigger: { ...data, ...p.data },
          skipFilter: true,
        });
        if (delivery) queued++;
      }
      await advanceBroadcastTrigger(trx, id, next, Number(held.queued) + queued);
      return 'more' as const;
    });
    if (state === 'more') this.o.onPage?.();
    return state;
  }
}
