import { InvalidInputError } from '../../lib/errors.js';
import { emailKey } from '../../lib/email.js';

/** Most people an explicit list (`ids`, `emails`, `per_user_data`) may name (Customer.io: 10 000). */
export const MAX_LIST = 10_000;

/** One person an explicit list names: by id or by normalised email, with their own data. */
export interface WantedPerson {
  column: 'id' | 'email_norm';
  value: string;
  data?: Record<string, unknown>;
}

/**
 * Whom a trigger names: nobody (the campaign's own filter), a filter (`recipients`, whose segments
 * the service checks against the workspace), or a list of people (`ids`, `emails`,
 * `per_user_data`) looked up by the service.
 */
export type AudienceInput =
  | { kind: 'campaign' }
  | { kind: 'filter'; filter: unknown }
  | {
      kind: 'list';
      /** The body field the list came in, for the error naming who was not found. */
      field: 'ids' | 'emails' | 'per_user_data';
      wanted: WantedPerson[];
      ignoreMissing: boolean;
    };

/** `POST /v1/campaigns/:id/triggers` parsed: `{{ trigger.* }}` data and the audience. */
export interface BroadcastTrigger {
  data: Record<string, unknown>;
  audience: AudienceInput;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The trigger body; none (or `null`) is `{}`: everyone the campaign's filter matches. */
export function parseBroadcastTrigger(body: unknown): BroadcastTrigger {
  const b = body === undefined || body === null ? {} : body;
  if (!isObject(b)) throw new InvalidInputError('/', 'request body must be a JSON object');
  if (b.data !== undefined && b.data !== null && !isObject(b.data))
    throw new InvalidInputError('/data', 'data must be an object');
  const data = (b.data as Record<string, unknown> | undefined) ?? {};
  return { data, audience: parseAudience(b) };
}

function parseAudience(b: Record<string, unknown>): AudienceInput {
  if (b.data_file_url !== undefined)
    throw new InvalidInputError('/data_file_url', 'data_file_url is not supported by Roster', 'unsupported');
  if (b.recipients !== undefined && b.recipients !== null) return { kind: 'filter', filter: b.recipients };
  if (b.ids !== undefined)
    return {
      kind: 'list',
      field: 'ids',
      wanted: list(b, 'ids').map((v, i) => ({ column: 'id', value: text(v, `/ids/${i}`) })),
      ignoreMissing: b.id_ignore_missing === true,
    };
  if (b.emails !== undefined)
    return {
      kind: 'list',
      field: 'emails',
      wanted: list(b, 'emails').map((v, i) => ({
        column: 'email_norm',
        value: emailKey(text(v, `/emails/${i}`)),
      })),
      ignoreMissing: b.email_ignore_missing === true,
    };
  if (b.per_user_data !== undefined)
    return {
      kind: 'list',
      field: 'per_user_data',
      wanted: list(b, 'per_user_data').map(perUserEntry),
      ignoreMissing: b.id_ignore_missing === true || b.email_ignore_missing === true,
    };
  return { kind: 'campaign' };
}

function list(b: Record<string, unknown>, key: 'ids' | 'emails' | 'per_user_data'): unknown[] {
  const v = b[key];
  if (!Array.isArray(v)) throw new InvalidInputError(`/${key}`, `${key} must be an array`);
  if (v.length > MAX_LIST)
    throw new InvalidInputError(`/${key}`, `${key} takes at most ${MAX_LIST} entries`, 'too_long');
  return v as unknown[];
}

function text(v: unknown, at: string): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new InvalidInputError(at, 'every entry must be a non-empty string');
}

/** `{id|email, data?}`. */
function perUserEntry(v: unknown, i: number): WantedPerson {
  if (!isObject(v)) throw new InvalidInputError(`/per_user_data/${i}`, 'each entry must be {id|email, data}');
  const data = v.data === undefined || v.data === null ? undefined : v.data;
  if (data !== undefined && !isObject(data))
    throw new InvalidInputError(`/per_user_data/${i}/data`, 'data must be an object');
  return v.id !== undefined
    ? { column: 'id', value: text(v.id, `/per_user_data/${i}/id`), ...(data ? { data } : {}) }
    : {
        column: 'email_norm',
        value: emailKey(text(v.email, `/per_user_data/${i}/email`)),
        ...(data ? { data } : {}),
      };
}
