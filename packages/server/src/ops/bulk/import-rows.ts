import { InvalidInputError } from '../../lib/errors.js';
import { isEmail } from '../../services/track/identifiers.js';
import { parseV2 } from '../../services/track/v2.js';
import type { TrackWrite } from '../../services/track/context.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { unguardFormula } from './csv.js';

/** How a CSV cell becomes an attribute value. `auto` guesses (see `inferValue`). */
export type ColumnType = 'auto' | 'string' | 'number' | 'boolean' | 'json' | 'timestamp';
export const COLUMN_TYPES: readonly ColumnType[] = [
  'auto',
  'string',
  'number',
  'boolean',
  'json',
  'timestamp',
];

/** Columns `roster export --format csv` writes that are not attributes. */
export const META_COLUMNS = new Set(['_cio_id', '_created_at', '_updated_at', '_devices']);

export interface RowOptions {
  /** The column (CSV) or key (flat JSONL) holding the identifier. Default: `id` if present, else `email`. */
  idColumn?: string | undefined;
  /** What the identifier is. Default: the column's name when it is `id` or `email`, else by shape. */
  idType?: 'id' | 'email' | undefined;
  /** Per-column types; other columns are `auto`. */
  types?: Record<string, ColumnType>;
  /** What a CSV's rows are: people (default), objects or relationships (`ObjectCsvMapper`). */
  kind?: 'people' | 'objects' | 'relationships' | undefined;
  /** Objects and relationships CSV without an `object_type_id` column: their type. */
  objectType?: string | undefined;
}

/** A row that cannot be imported: the reason goes to the errors file with the row's line. */
export class RowError extends Error {}

const NUMBER = /^-?(0|[1-9]\d{0,14})(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * `auto` typing of a CSV cell: empty → absent; `true`/`false` → boolean; a plain decimal number
 * without leading zeros and at most 15 integer digits → number (so zip codes such as `02134` and
 * long numeric ids stay strings); `{…}`/`[…]` that parse as JSON → that value; anything else → string.
 */
export function inferValue(raw: string): unknown {
  if (raw === '') return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (NUMBER.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  const c = raw.charCodeAt(0);
  if (c === 0x7b || c === 0x5b) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

export function typedValue(raw: string, type: ColumnType, column: string): unknown {
  switch (type) {
    case 'auto':
      return inferValue(raw);
    case 'string':
      return raw === '' ? undefined : raw;
    case 'number': {
      if (raw.trim() === '') return undefined;
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new RowError(`${column}: ${JSON.stringify(raw)} is not a number`);
      return n;
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (v === '') return undefined;
      if (['true', '1', 'yes', 'y', 't'].includes(v)) return true;
      if (['false', '0', 'no', 'n', 'f'].includes(v)) return false;
      throw new RowError(`${column}: ${JSON.stringify(raw)} is not a boolean`);
    }
    case 'json': {
      if (raw === '') return undefined;
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw new RowError(`${column}: not valid JSON`);
      }
    }
    case 'timestamp': {
      // Unix seconds, as Customer.io expects for dates; ISO 8601 text is converted.
      if (raw.trim() === '') return undefined;
      if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
      const ms = Date.parse(raw);
      if (Number.isNaN(ms)) throw new RowError(`${column}: ${JSON.stringify(raw)} is not a date`);
      return Math.floor(ms / 1000);
    }
  }
}

export function identifierKind(column: string, value: string, options: RowOptions): 'id' | 'email' {
  if (options.idType) return options.idType;
  if (column === 'id' || column === 'email') return column;
  return isEmail(value) ? 'email' : 'id';
}

/** Parses through the v2 path (the same validation as `POST /api/v2/batch`), reporting as a row error. */
export function v2(op: Record<string, unknown>, ws: Workspace): TrackWrite {
  try {
    return parseV2(op, ws);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new RowError(describe(err));
    throw err;
  }
}

export function describe(err: unknown): string {
  // Most messages already start with their field ("identifiers.email is not …"): name it once.
  if (err instanceof InvalidInputError)
    return err.field && !err.message.startsWith(err.field) ? `${err.field}: ${err.message}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

function deviceOps(devices: unknown, identifiers: Record<string, string>, ws: Workspace): TrackWrite[] {
  if (devices === undefined || devices === null || devices === '') return [];
  if (!Array.isArray(devices)) throw new RowError('devices must be an array of devices');
  return devices.map((d) => v2({ type: 'person', action: 'add_device', identifiers, device: d }, ws));
}

/** The people columns of a CSV file, resolved once from its header. */
export class CsvRowMapper {
  private readonly idIndex: number;
  private readonly types: ColumnType[];
  private readonly devicesIndex: number;
  /** Without --id-column and with both id and email columns: email names the person whose id is empty. */
  private readonly fallbackIndex: number;

  readonly header: string[];

  constructor(
    header: string[],
    private readonly workspace: Workspace,
    private readonly options: RowOptions,
  ) {
    // Roster's CSV exports guard formula-like cells with a `'`; reading them back removes it.
    this.header = header.map(unguardFormula);
    header = this.header;
    const seen = new Set<string>();
    for (const h of header) {
      if (h === '') throw new Error('the header has an empty column name');
      if (seen.has(h)) throw new Error(`the header names column ${h} twice`);
      seen.add(h);
    }
    const idColumn = options.idColumn ?? (seen.has('id') ? 'id' : seen.has('email') ? 'email' : undefined);
    if (!idColumn)
      throw new Error('no identifier column: name one with --id-column (the header has no id or email)');
    this.idIndex = header.indexOf(idColumn);
    if (this.idIndex < 0) throw new Error(`the header has no column ${idColumn}`);
    for (const name of Object.keys(options.types ?? {}))
      if (!seen.has(name)) throw new Error(`--type names column ${name}, which the header does not have`);
    this.types = header.map((h) => options.types?.[h] ?? 'auto');
    this.devicesIndex = header.indexOf('_devices');
    this.fallbackIndex = options.idColumn === undefined && idColumn === 'id' ? header.indexOf('email') : -1;
  }

  get idColumn(): string {
    return this.header[this.idIndex]!;
  }

  writes(raw: string[]): TrackWrite[] {
    const fields = raw.map(unguardFormula);
    if (fields.length !== this.header.length)
      throw new RowError(`expected ${this.header.length} fields, found ${fields.length}`);
    let idIndex = this.idIndex;
    if (
      fields[idIndex]!.trim() === '' &&
      this.fallbackIndex >= 0 &&
      fields[this.fallbackIndex]!.trim() !== ''
    )
      idIndex = this.fallbackIndex;
    const idValue = fields[idIndex]!.trim();
    if (idValue === '')
      throw new RowError(`${this.idColumn} is empty${this.fallbackIndex >= 0 ? ' (and so is email)' : ''}`);
    const kind = identifierKind(this.header[idIndex]!, idValue, this.options);
    const attributes: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      if (i === idIndex) continue;
      const name = this.header[i]!;
      if (META_COLUMNS.has(name)) continue;
      const value = typedValue(fields[i]!, this.types[i]!, name);
      if (value !== undefined) attributes[name] = value;
    }
    const identifiers = { [kind]: idValue };
    const out = [v2({ type: 'person', action: 'identify', identifiers, attributes }, this.workspace)];
    if (this.devicesIndex >= 0) {
      const raw = fields[this.devicesIndex]!;
      out.push(
        ...deviceOps(
          raw === '' ? undefined : typedValue(raw, 'json', '_devices'),
          identifiers,
          this.workspace,
        ),
      );
    }
    return out;
  }
}

const OP_KEYS = new Set(['type', 'action', 'identifiers']);

/**
 * One JSON Lines record: either a Track API v2 operation (`{"type":"person","action":"identify",
 * "identifiers":{…},"attributes":{…}}`, also `event`, `page`, `screen`, `add_device`, … — what
 * `roster export` writes), where an identify may carry `"devices": […]`; or a flat person
 * (`{"email":"…","plan":"pro"}`) identified like a CSV row, whose `devices` key adds devices.
 */
export function jsonlWrites(text: string, ws: Workspace, options: RowOptions): TrackWrite[] {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new RowError(`not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RowError('each line must be a JSON object');
  const obj = value as Record<string, unknown>;
  if (typeof obj.action === 'string' && obj.identifiers !== undefined) {
    const { devices, ...op } = obj;
    const out = [v2({ type: 'person', ...op }, ws)];
    if (devices !== undefined) {
      if (op.action !== 'identify') throw new RowError('devices is only allowed on an identify');
      out.push(...deviceOps(devices, op.identifiers as Record<string, string>, ws));
    }
    return out;
  }
  // A flat person.
  const idColumn = options.idColumn ?? ('id' in obj ? 'id' : 'email' in obj ? 'email' : undefined);
  if (!idColumn) throw new RowError('no identifier: the object has no id or email (or --id-column key)');
  const raw = obj[idColumn];
  const idValue = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  if (typeof idValue !== 'string' || idValue.trim() === '')
    throw new RowError(`${idColumn} must be a non-empty string`);
  const kind = identifierKind(idColumn, idValue, options);
  const identifiers = { [kind]: idValue };
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === idColumn || k === 'devices' || META_COLUMNS.has(k) || OP_KEYS.has(k)) continue;
    attributes[k] = v;
  }
  return [
    v2({ type: 'person', action: 'identify', identifiers, attributes }, ws),
    ...deviceOps(obj.devices, identifiers, ws),
  ];
}
