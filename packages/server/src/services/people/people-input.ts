import { InvalidInputError } from '../../lib/errors.js';

/** Most ids `POST /v1/customers/attributes` takes (docs/app-api.md "People"). */
export const MAX_ATTRIBUTE_IDS = 100;

/** `POST /v1/customers/attributes` `{ids}`: 1 to 100 non-empty ids (numbers are taken as text). */
export function parseCustomerIds(body: unknown): string[] {
  const ids = (body as { ids?: unknown } | undefined)?.ids;
  if (!Array.isArray(ids) || ids.length === 0)
    throw new InvalidInputError('ids', 'ids must be a non-empty array', 'required');
  if (ids.length > MAX_ATTRIBUTE_IDS)
    throw new InvalidInputError('ids', `ids takes at most ${MAX_ATTRIBUTE_IDS} values`, 'too_long');
  return ids.map((v: unknown, i) => {
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    throw new InvalidInputError(`ids/${i}`, 'every id must be a non-empty string');
  });
}

/** `POST /v1/customers` `{filter}`: the filter as sent (the service checks it against the workspace). */
export interface PeopleSearch {
  filter: unknown;
}

export function parsePeopleSearch(body: unknown): PeopleSearch {
  const filter = (body as { filter?: unknown } | undefined)?.filter;
  if (filter === undefined || filter === null)
    throw new InvalidInputError('/filter', 'invalid filter: filter is required', 'invalid_filter');
  return { filter };
}
