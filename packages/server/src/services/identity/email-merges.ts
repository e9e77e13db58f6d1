import type { Store } from '../../store/store.js';
import { findPerson, findPersonByPid, updatePerson } from '../../store/track/people.js';
import { deleteEmailMerge, pendingEmailMerges } from '../../store/track/email-merges.js';
import { mergeLockKeys, mergePeople } from '../track/merge.js';
import type { TrackService } from '../track/track-service.js';
import type { WorkspaceService } from '../workspaces.js';
import type { PersonRef } from '../track/identifiers.js';

/** Merges per read of the list: each is its own short write transaction. */
const PAGE = 100;

/**
 * The second half of migration 086 (docs/operations.md "Upgrading: emails in NFC"): each person
 * whose email, once in NFC, belongs to another person is merged into that person, exactly as
 * `POST /api/v1/merge_customers` with the other person as primary would (attributes fill gaps,
 * devices, events, relationships and manual memberships move, webhooks hear of it). One merge per
 * transaction, so live writes interleave; idempotent, so servers starting together on one
 * PostgreSQL database can both run it. Returns how many people were merged.
 */
export async function finishEmailMerges(
  store: Store,
  track: TrackService,
  workspaces: WorkspaceService,
): Promise<number> {
  let merged = 0;
  for (;;) {
    const page = await pendingEmailMerges(store.db, PAGE);
    if (page.length === 0) return merged;
    for (const m of page) {
      const ws = await workspaces.get(m.workspaceId);
      const secondary = await findPersonByPid(store.db, m.workspaceId, m.pid);
      if (ws && secondary && secondary.workspaceId === ws.id) {
        // By cio_id on both sides: until merged, both people's emails normalise to one key.
        const holder = await findPerson(store.db, ws.id, { kind: 'email', value: m.emailKey });
        const primaryRef: PersonRef = { kind: 'cio_id', value: holder?.cioId ?? secondary.cioId };
        const secondaryRef: PersonRef = { kind: 'cio_id', value: secondary.cioId };
        await track.execute(ws, 'email-nfc-merge', {
          lockKeys: mergeLockKeys(ws.id, primaryRef, secondaryRef),
          run: async (trx, ctx, fx) => {
            const primary = holder && (await findPerson(trx, ws.id, primaryRef));
            if (primary) await mergePeople(trx, ctx, primaryRef, secondaryRef, fx);
            else {
              // The other person went meanwhile: this one simply takes its email in NFC.
              const p = await findPersonByPid(trx, m.workspaceId, m.pid);
              if (p)
                await updatePerson(
                  trx,
                  p,
                  {
                    id: p.id,
                    email: p.email,
                    attributes: p.attributes,
                    attrTs: p.attrTs,
                    unsubscribed: p.unsubscribed,
                  },
                  ctx.now,
                );
            }
            await deleteEmailMerge(trx, m.workspaceId, m.pid);
          },
        });
        merged++;
      } else {
        await store.transaction((trx) => deleteEmailMerge(trx, m.workspaceId, m.pid));
      }
    }
  }
}
