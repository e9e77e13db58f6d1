import { InvalidInputError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { TrackWrite } from './context.js';
import { METRICS, metricData, PUSH_EVENTS, recordMetric, type MetricCommand } from './delivery.js';
import { addDevice, deviceLockKeys, parseDevice, removeDevice, requireToken } from './devices.js';
import { eventWrite, parseEvent, requireObject } from './events.js';
import { explicitRef, refLockKey, tokenLockKey, type PersonRef } from './identifiers.js';
import { parseIdentify } from './identify-command.js';
import { deletePerson, suppressPerson, unsuppressPerson } from './lifecycle.js';
import { parseTimestamp } from './limits.js';
import { mergeLockKeys, mergePeople } from './merge.js';
import {
  parseObjectOperation,
  parseObjectRelations,
  personRelationsCommand,
  personRelationsWrite,
} from '../objects/object-commands.js';
import { withRelationships } from '../objects/identify-with-relationships.js';

function field(op: Record<string, unknown>, name: string): string {
  const v = op[name];
  if (typeof v !== 'string' || v === '') throw new InvalidInputError(name, `${name} is required`, 'required');
  return v;
}

/**
 * Parses one v2 entity/batch operation (docs/track-api.md §2). Person actions map onto the same writes as v1;
 * `identifiers: {"anonymous_id"}` is accepted on event/page/screen (Roster's SDK and Segment send it).
 * Object operations (docs/objects.md) and person relationships go to services/objects.
 */
export function parseV2(raw: unknown, workspace: Workspace): TrackWrite {
  const op = requireObject(raw, 'operation');
  const type = field(op, 'type');
  const action = field(op, 'action');
  if (type === 'delivery') return parseDeliveryOperation(op, action, workspace);
  if (type === 'object') return parseObjectOperation(op, action, workspace);
  if (type !== 'person')
    throw new InvalidInputError('type', 'type must be person, object or delivery', 'invalid');
  return parsePersonOperation(op, action, workspace);
}

/** `type: delivery`, `action: event`: a push metric for a delivery (docs/track-api.md §2). */
function parseDeliveryOperation(
  op: Record<string, unknown>,
  action: string,
  workspace: Workspace,
): TrackWrite {
  const ws = workspace.id;
  if (action !== 'event') throw new InvalidInputError('action', 'delivery action must be event', 'invalid');
  const ids = requireObject(op.identifiers, 'identifiers');
  const deliveryId = typeof ids.id === 'string' && ids.id ? ids.id : undefined;
  if (!deliveryId) throw new InvalidInputError('identifiers.id', 'identifiers.id is required', 'required');
  const name = field(op, 'name');
  if (!PUSH_EVENTS.has(name) && !METRICS.has(name))
    throw new InvalidInputError('name', `name must be one of ${[...PUSH_EVENTS].join(', ')}`, 'invalid');
  const attributes = requireObject(op.attributes, 'attributes');
  const token = requireToken(attributes.device_token, 'attributes.device_token');
  const cmd: MetricCommand = {
    deliveryId,
    metric: name,
    deviceToken: token,
    timestamp: parseTimestamp(op.timestamp, 'timestamp'),
    data: metricData(attributes),
  };
  return {
    lockKeys: [tokenLockKey(ws, token)],
    run: (trx, ctx, fx) => recordMetric(trx, workspace, ctx.now, ctx.source, cmd, fx),
  };
}

/** `type: person`: merge, identify, events, devices, lifecycle and relationships. */
function parsePersonOperation(op: Record<string, unknown>, action: string, workspace: Workspace): TrackWrite {
  const ws = workspace.id;
  const mode = workspace.identifierMode;
  if (action === 'merge') {
    const primary = explicitRef(op.primary, 'primary', mode);
    const secondary = explicitRef(op.secondary, 'secondary', mode);
    return {
      lockKeys: mergeLockKeys(ws, primary, secondary),
      run: (trx, ctx, fx) => mergePeople(trx, ctx, primary, secondary, fx),
    };
  }
  const ids = requireObject(op.identifiers, 'identifiers');
  const isEvent = action === 'event' || action === 'page' || action === 'screen';
  if (isEvent && Object.keys(ids).length === 1 && 'anonymous_id' in ids) {
    const cmd = parseEvent(
      { name: op.name, data: op.attributes ?? {}, id: op.id, timestamp: op.timestamp, type: action },
      { anonymousId: ids.anonymous_id },
      workspace.settings.lenientEventData,
      'attributes',
    );
    return eventWrite(ws, cmd);
  }
  const ref: PersonRef = explicitRef(op.identifiers, 'identifiers', mode);
  const lock = [refLockKey(ws, ref)];
  switch (action) {
    case 'identify': {
      const cmd = parseIdentify(ref, requireObject(op.attributes, 'attributes'), mode, op.timestamp);
      const relations = parseObjectRelations(op.cio_relationships, 'cio_relationships');
      return withRelationships(
        ws,
        cmd,
        relations.length > 0 ? personRelationsCommand(ref, relations, 'add', cmd.at) : undefined,
      );
    }
    case 'event':
    case 'page':
    case 'screen': {
      const cmd = parseEvent(
        { name: op.name, data: op.attributes ?? {}, id: op.id, timestamp: op.timestamp, type: action },
        { ref },
        workspace.settings.lenientEventData,
        'attributes',
      );
      return eventWrite(ws, cmd);
    }
    case 'add_device': {
      const cmd = parseDevice(op.device, ref, 'token');
      return {
        lockKeys: deviceLockKeys(ws, ref, cmd.token),
        run: (trx, ctx, fx) => addDevice(trx, ctx, cmd, fx),
      };
    }
    case 'delete_device': {
      const token = requireToken(requireObject(op.device, 'device').token, 'device.token');
      return {
        lockKeys: deviceLockKeys(ws, ref, token),
        run: (trx, ctx, fx) => removeDevice(trx, ctx, ref, token, fx),
      };
    }
    case 'delete':
      return { lockKeys: lock, run: (trx, ctx, fx) => deletePerson(trx, ctx, ref, fx) };
    case 'suppress':
      return { lockKeys: lock, run: (trx, ctx, fx) => suppressPerson(trx, ctx, ref, fx) };
    case 'unsuppress':
      return { lockKeys: lock, run: (trx, ctx) => unsuppressPerson(trx, ctx, ref) };
    case 'add_relationships':
    case 'delete_relationships': {
      if (op.cio_relationships === undefined)
        throw new InvalidInputError('cio_relationships', 'cio_relationships is required', 'required');
      const relations = parseObjectRelations(op.cio_relationships, 'cio_relationships');
      const at = parseTimestamp(op.timestamp, 'timestamp');
      const kind = action === 'add_relationships' ? 'add' : 'delete';
      return personRelationsWrite(workspace, personRelationsCommand(ref, relations, kind, at));
    }
    default:
      throw new InvalidInputError('action', `unknown person action ${action}`, 'invalid');
  }
}
