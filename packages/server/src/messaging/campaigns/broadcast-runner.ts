import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { PolledWorker } from '../../lib/polling-loop.js';
import { parseFilter } from '../../filter/parse-filter.js';
import {
  advanceBroadcastTrigger,
  claimBroadcastTrigger,
  finishBroadcastTrigger,
  renewBroadcastClaim,
  type BroadcastTriggerKey,
} from '../../store/campaigns/broadcasts.js';
import { compileFilter } from '../../store/filter/compile-filter.js';
import { readyAttributeIndexes } from '../../store/people/attribute-indexes.js';
import { searchPeople } from '../../store/people/people-search.js';
import { relatedPeopleMatching } from '../../store/objects/object-audience.js';
import { parseJson, type Store } from '../../store/store.js';
import type { Audience } from './broadcasts.js';
import type { CampaignService } from './campaigns.js';

export interface BroadcastRunnerOptions {
  /** How long a claim on a trigger holds without a page committing. */
  leaseMs?: number;
  /** People per transaction. */
  pageSize?: number;
  pollMs?: number;
  /** Pause between pages: throttles a fan-out so other writers get the store (SQLite has one writer). */
  pauseMs?: number;
  /**
   * Page failures in a row (a query the database refuses, a statement timeout) after which the
   * trigger is marked `failed` with the error, instead of being retried every lease period forever.
   */
  maxPageFailures?: number;
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
export class BroadcastRunner extends PolledWorker {
  private readonly o: Required<Omit<BroadcastRunnerOptions, 'onPage' | 'log'>> & BroadcastRunnerOptions;
  private readonly workerId = `b-${randomBytes(4).toString('hex')}`;
  /** Trigger id → page failures in a row in this process. */
  private readonly failures = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly campaigns: CampaignService,
    options: BroadcastRunnerOptions = {},
  ) {
    super(options.pollMs ?? 1_000, (err) =>
      options.log?.error({ err }, 'broadcast fan-out failed; retrying'),
    );
    this.o = { leaseMs: 30_000, pageSize: 200, pollMs: 1_000, pauseMs: 0, maxPageFailures: 3, ...options };
  }

  /** Claims one due trigger and fans it out to the end (or until stopped / the lease is lost). */
  async runOnce(): Promise<boolean> {
    const claim = `${this.workerId}:${randomBytes(6).toString('hex')}`;
    const trigger = await this.claim(claim);
    if (trigger === undefined) return false;
    const { id } = trigger;
    while (!this.poller.stopped) {
      let state: 'more' | 'done' | 'lost';
      try {
        state = await this.page(trigger, claim);
        this.failures.delete(id);
      } catch (err) {
        const n = (this.failures.get(id) ?? 0) + 1;
        this.failures.set(id, n);
        if (n < this.o.maxPageFailures) throw err;
        this.failures.delete(id);
        this.o.log?.error(
          { err, trigger: id },
          'broadcast fan-out failed repeatedly; the trigger is marked failed',
        );
        await this.store.transaction((trx) =>
          finishBroadcastTrigger(
            trx,
            trigger,
            'failed',
            `the fan-out failed ${n} times in a row: ${(err as Error).message}`.slice(0, 500),
            unixSeconds(this.clock),
          ),
        );
        return true;
      }
      if (state !== 'more') break;
      // Let requests and the delivery worker in between pages.
      await (this.o.pauseMs > 0 ? sleep(this.o.pauseMs) : new Promise((r) => setImmediate(r)));
    }
    return true;
  }

  private async claim(claim: string): Promise<BroadcastTriggerKey | undefined> {
    const nowMs = this.clock.now();
    return this.store.transaction((trx) =>
      claimBroadcastTrigger(trx, this.store.dialect, claim, nowMs, nowMs + this.o.leaseMs),
    );
  }

  /** One page in one transaction; 'more' while people remain. */
  private async page(trigger: BroadcastTriggerKey, claim: string): Promise<'more' | 'done' | 'lost'> {
    const { id } = trigger;
    const state = await this.store.transaction(async (trx) => {
      const nowMs = this.clock.now();
      const now = unixSeconds(this.clock);
      const held = await renewBroadcastClaim(trx, trigger, claim, nowMs + this.o.leaseMs, now);
      if (!held) return 'lost' as const;
      const finish = async (status: 'done' | 'failed', error: string | null = null) => {
        await finishBroadcastTrigger(trx, trigger, status, error, now);
        return 'done' as const;
      };
      const wsId = trigger.workspaceId;
      const campaign = await this.campaigns.byId(trx, wsId, Number(held.campaign_id));
      if (!campaign) return finish('failed', 'the broadcast was deleted');
      const audience = parseJson<Audience>(held.audience);
      const data = parseJson<Record<string, unknown>>(held.data) ?? {};
      const cursor = Number(held.cursor);
      let batch: Array<{ pid: number; data?: Record<string, unknown> }>;
      let next: number;
      if (campaign.type === 'triggered' && !campaign.active) return finish('done');
      if ('object_oid' in audience) {
        let predicate;
        try {
          predicate = compileFilter(parseFilter(audience.filter, '/audience'), this.store.dialect, { now });
        } catch (err) {
          return finish('failed', `the audience filter no longer applies: ${(err as Error).message}`);
        }
        const rows = await relatedPeopleMatching(
          trx,
          wsId,
          audience.object_oid,
          predicate,
          cursor,
          this.o.pageSize,
        );
        batch = rows.map((r) => ({ pid: r.pid, data: { relationship: { ...r.relationship } } }));
        next = rows.length > 0 ? rows[rows.length - 1]!.pid : cursor;
      } else if ('people' in audience) {
        batch = audience.people.slice(cursor, cursor + this.o.pageSize);
        next = cursor + batch.length;
      } else {
        let predicate;
        try {
          predicate = compileFilter(parseFilter(audience.filter, '/recipients'), this.store.dialect, {
            now,
            indexes: await readyAttributeIndexes(trx, wsId),
          });
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
      await advanceBroadcastTrigger(trx, trigger, next, Number(held.queued) + queued);
      return 'more' as const;
    });
    if (state === 'more') this.o.onPage?.();
    return state;
  }
}
