import { InvalidInputError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { TrackWrite } from './context.js';
import { parseMetric, parsePushEvent, recordMetric } from './delivery.js';
import { addDevice, deviceLockKeys, parseDevice, removeDevice } from './devices.js';
import { eventWrite, parseEvent, requireObject } from './events.js';
import { explicitRef, pathRef, refLockKey, tokenLockKey } from './identifiers.js';
import { parseIdentify } from './identify-command.js';
import { parseV1Relationships } from '../objects/object-commands.js';
import { withRelationships } from '../objects/identify-with-relationships.js';
import { deletePerson, suppressPerson, unsuppressPerson } from './lifecycle.js';
import { mergeLockKeys, mergePeople } from './merge.js';
import { changeMembership, parseSegmentCommand, segmentLockKeys } from './segments.js';

/** The v1 operations, each parsed and validated into a write (docs/track-api.md §2). */
export const v1 = {
  identify(ws: Workspace, identifier: string, body: unknown): TrackWrite {
    const ref = pathRef(identifier, ws.identifierMode);
    const b = requireObject(body);
    const cmd = parseIdentify(ref, b, ws.identifierMode);
    return withRelationships(ws.id, cmd, parseV1Relationships(ref, b.cio_relationships, cmd.at));
  },

  deletePerson(ws: Workspace, identifier: string): TrackWrite {
    const ref = pathRef(identifier, ws.identifierMode);
    return { lockKeys: [refLockKey(ws.id, ref)], run: (trx, ctx, fx) => deletePerson(trx, ctx, ref, fx) };
  },

  suppress(ws: Workspace, identifier: string): TrackWrite {
    const ref = pathRef(identifier, ws.identifierMode);
    return { lockKeys: [refLockKey(ws.id, ref)], run: (trx, ctx, fx) => suppressPerson(trx, ctx, ref, fx) };
  },

  unsuppress(ws: Workspace, identifier: string): TrackWrite {
    const ref = pathRef(identifier, ws.identifierMode);
    return { lockKeys: [refLockKey(ws.id, ref)], run: (trx, ctx) => unsuppressPerson(trx, ctx, ref) };
  },

  addDevice(ws: Workspace, identifier: string, body: unknown): TrackWrite {
    const ref = pathRef(identifier, ws.identifierMode);
    const cmd = parseDevice(requireObject(body).device, ref, 'id');
    return {
      lockKeys: deviceLockKeys(ws.id, ref, cmd.token),
      run: (trx, ctx, fx) => addDevice(trx, ctx, cmd, fx),
    };
  },

  deleteDevice(ws: Workspace, identifier: string, token: string): TrackWrite {
    const ref = pathRef(identifier, ws.identifierMode);
    return {
      lockKeys: deviceLockKeys(ws.id, ref, token),
      run: (trx, ctx, fx) => removeDevice(trx, ctx, ref, token, fx),
    };
  },

  event(ws: Workspace, identifier: string, body: unknown): TrackWrite {
    const ref = pathRef(identifier, ws.identifierMode);
    const b = requireObject(body);
    const cmd = parseEvent(
      { name: b.name, data: b.data, id: b.id, timestamp: b.timestamp, type: b.type },
      { ref },
      ws.settings.lenientEventData,
    );
    return eventWrite(ws.id, cmd);
  },

  anonymousEvent(ws: Workspace, body: unknown): TrackWrite {
    const b = requireObject(body);
    const cmd = parseEvent(
      { name: b.name, data: b.data, id: b.id, timestamp: b.timestamp, type: b.type },
      { anonymousId: b.anonymous_id },
      ws.settings.lenientEventData,
    );
    return eventWrite(ws.id, cmd);
  },

  /** Malformed merges answer `meta.error` (singular), as Customer.io documents (docs/track-api.md §1). */
  merge(ws: Workspace, body: unknown): TrackWrite {
    const b = requireObject(body);
    const primary = explicitRef(b.primary, 'primary', ws.identifierMode);
    const secondary = explicitRef(b.secondary, 'secondary', ws.identifierMode);
    return {
      lockKeys: mergeLockKeys(ws.id, primary, secondary),
      run: (trx, ctx, fx) => mergePeople(trx, ctx, primary, secondary, fx),
    };
  },

  segment(ws: Workspace, segmentId: string, idType: unknown, body: unknown, add: boolean): TrackWrite {
    const cmd = parseSegmentCommand(segmentId, idType, body);
    return {
      lockKeys: segmentLockKeys(ws.id, cmd),
      run: (trx, ctx, fx) => changeMembership(trx, ctx, cmd, add, fx),
    };
  },

  metric(ws: Workspace | null, body: unknown, push: boolean): TrackWrite {
    const b = requireObject(body);
    const cmd = push ? parsePushEvent(b) : parseMetric(b);
    return {
      lockKeys: cmd.deviceToken && ws ? [tokenLockKey(ws.id, cmd.deviceToken)] : [],
      run: (trx, ctx, fx) => recordMetric(trx, ws, ctx.now, ctx.source, cmd, fx),
    };
  },

  /**
   * Forms (docs/track-api.md §3): identify by `data.email`, else `data.id`; `form_*` keys are not
   * attributes. Returns the identifier too (signed identify checks it).
   */
  form(ws: Workspace, body: unknown): { identifier: string; write: TrackWrite } {
    const data = requireObject(requireObject(body).data, 'data');
    const attrs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) if (!k.startsWith('form_')) attrs[k] = v;
    const email = typeof attrs.email === 'string' && attrs.email !== '' ? attrs.email : undefined;
    const id = typeof attrs.id === 'string' || typeof attrs.id === 'number' ? String(attrs.id) : undefined;
    const identifier =
      ws.identifierMode === 'id' ? id : (email ?? (ws.identifierMode === 'email' ? undefined : id));
    if (!identifier)
      throw new InvalidInputError('data', 'form data must include an email or an id', 'required');
    if (identifier === email && ws.identifierMode !== 'id') delete attrs.email;
    return { identifier, write: v1.identify(ws, identifier, attrs) };
  },
};
