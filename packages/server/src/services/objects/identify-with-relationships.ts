import type { TrackWrite } from '../track/context.js';
import { identify } from '../track/identify.js';
import { identifyLockKeys, type IdentifyCommand } from '../track/identify-command.js';
import { objectLockKeys } from './object-commands.js';
import { relatePersonToObjects, type PersonRelationsCommand } from './object-writes.js';

/**
 * An identify, then the relationships its body names (`cio_relationships`, v1 and v2) for the
 * person it identified, in the same transaction. An identify that lands on nobody (`_update`,
 * a suppressed identifier, an unknown cio_id) relates nobody.
 */
export function withRelationships(
  workspaceId: number,
  cmd: IdentifyCommand,
  relations: PersonRelationsCommand | undefined,
): TrackWrite {
  const lockKeys = identifyLockKeys(workspaceId, cmd);
  if (!relations || relations.relations.length === 0)
    return { lockKeys, run: (trx, ctx, fx) => identify(trx, ctx, cmd, fx) };
  return {
    lockKeys: [...lockKeys, ...objectLockKeys(workspaceId, relations)],
    run: async (trx, ctx, fx) => {
      await identify(trx, ctx, cmd, fx);
      await relatePersonToObjects(trx, ctx, relations, fx, false);
    },
  };
}
