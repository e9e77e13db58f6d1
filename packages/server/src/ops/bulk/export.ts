import { unixSeconds, type Clock } from '../../lib/clock.js';
import { compileFilter, type Predicate } from '../../store/filter/compile-filter.js';
import { readyAttributeIndexes } from '../../store/people/attribute-indexes.js';
import { parseFilter } from '../../filter/parse-filter.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { devicesOfPeople, eventsPage, peoplePage } from '../../store/bulk/export-pages.js';
import { parseJson, type Store } from '../../store/store.js';
import { csvLine, guardFormula } from './csv.js';

export type ExportWhat = 'people' | 'events';
export type ExportFormat = 'jsonl' | 'csv';

export interface ExportOptions {
  what: ExportWhat;
  format: ExportFormat;
  workspace: Workspace;
  /** A filter in the segments' condition language (the JSON of a segment's `conditions`). */
  filter?: unknown;
  out: NodeJS.WritableStream;
  /** Rows per query page. */
  pageSize?: number;
}

/** Writes, waiting for `drain` when the destination is behind (a pipe, a slow disk). */
async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (text === '') return;
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

interface PersonOut {
  pid: number;
  cio_id: string;
  id: string | null;
  email: string | null;
  attributes: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  devices: Array<{ token: string; platform: string; last_used: number; attributes: Record<string, unknown> }>;
}

/** A CSV cell for a stored value; text a spreadsheet would run as a formula is guarded. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return guardFormula(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return guardFormula(JSON.stringify(value) ?? '');
}

/** A row of CSV cells, each guarded (ids, emails, names and headers come from clients too). */
function csvRow(values: readonly string[]): string {
  return csvLine(values.map(guardFormula));
}

/**
 * An attribute of a person, only if the person has it: attributes are parsed from JSON into
 * ordinary objects, and a name like `valueOf` or `constructor` would otherwise read
 * `Object.prototype`'s function (docs/security.md).
 */
function own(attributes: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(attributes, name) ? attributes[name] : undefined;
}

/**
 * `roster export`: people (with their devices) or events of one workspace, streamed page by page
 * (keyset pagination by `pid` / `seq`, so memory stays flat), optionally only the people a filter
 * matches (compiled to SQL by the segments' compiler). JSON Lines are Track API v2 operations —
 * `roster import` reads them back unchanged — plus `_cio_id`/`_created_at`/`_updated_at`; CSV
 * has one column per attribute. Returns the number of records written.
 */
export async function runExport(store: Store, clock: Clock, options: ExportOptions): Promise<number> {
  const predicate =
    options.filter === undefined
      ? undefined
      : compileFilter(parseFilter(options.filter, '/filter'), store.dialect, {
          now: unixSeconds(clock),
          indexes: await readyAttributeIndexes(store.db, options.workspace.id),
        });
  return options.what === 'people'
    ? exportPeople(store, options, predicate)
    : exportEvents(store, options, predicate);
}

async function* peoplePages(
  store: Store,
  ws: number,
  predicate: Predicate | undefined,
  pageSize: number,
  withDevices: boolean,
): AsyncGenerator<PersonOut[]> {
  let after = 0;
  for (;;) {
    const rows = await peoplePage(store.db, ws, after, predicate, pageSize);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.pid;
    const devices = new Map<number, PersonOut['devices']>();
    if (withDevices) {
      const ds = await devicesOfPeople(
        store.db,
        ws,
        rows.map((r) => r.pid),
      );
      for (const d of ds) {
        const list = devices.get(d.person_pid) ?? [];
        list.push({
          token: d.token,
          platform: d.platform,
          last_used: Number(d.last_used),
          attributes: parseJson<Record<string, unknown>>(d.attributes),
        });
        devices.set(d.person_pid, list);
      }
    }
    yield rows.map((r) => ({
      pid: r.pid,
      cio_id: r.cio_id,
      id: r.id,
      email: r.email,
      attributes: parseJson<Record<string, unknown>>(r.attributes),
      created_at: Number(r.created_at),
      updated_at: Number(r.updated_at),
      devices: devices.get(r.pid) ?? [],
    }));
    if (rows.length < pageSize) return;
  }
}

async function exportPeople(
  store: Store,
  options: ExportOptions,
  predicate: Predicate | undefined,
): Promise<number> {
  const ws = options.workspace.id;
  const pageSize = options.pageSize ?? 1000;
  let count = 0;
  if (options.format === 'jsonl') {
    for await (const page of peoplePages(store, ws, predicate, pageSize, true)) {
      let text = '';
      for (const p of page) {
        const identifiers =
          p.id !== null ? { id: p.id } : p.email !== null ? { email: p.email } : { cio_id: p.cio_id };
        const attributes: Record<string, unknown> = { ...p.attributes };
        if (p.id !== null && p.email !== null) attributes.email = p.email;
        const line: Record<string, unknown> = { type: 'person', action: 'identify', identifiers, attributes };
        if (p.devices.length > 0) line.devices = p.devices;
        line._cio_id = p.cio_id;
        line._created_at = p.created_at;
        line._updated_at = p.updated_at;
        text += `${JSON.stringify(line)}\n`;
      }
      count += page.length;
      await write(options.out, text);
    }
    return count;
  }
  // CSV: one column per attribute, so a first pass collects the attribute names.
  const names = new Set<string>();
  for await (const page of peoplePages(store, ws, predicate, pageSize * 5, false))
    for (const p of page) for (const k of Object.keys(p.attributes)) names.add(k);
  names.delete('id');
  names.delete('email');
  const attrs = [...names].sort();
  await write(
    options.out,
    csvRow(['id', 'email', '_cio_id', '_created_at', '_updated_at', ...attrs, '_devices']),
  );
  for await (const page of peoplePages(store, ws, predicate, pageSize, true)) {
    let text = '';
    for (const p of page) {
      text += csvLine([
        guardFormula(p.id ?? ''),
        guardFormula(p.email ?? ''),
        p.cio_id,
        String(p.created_at),
        String(p.updated_at),
        ...attrs.map((a) => cell(own(p.attributes, a))),
        p.devices.length > 0 ? guardFormula(JSON.stringify(p.devices)) : '',
      ]);
    }
    count += page.length;
    await write(options.out, text);
  }
  return count;
}

async function exportEvents(
  store: Store,
  options: ExportOptions,
  predicate: Predicate | undefined,
): Promise<number> {
  const ws = options.workspace.id;
  const pageSize = options.pageSize ?? 1000;
  let after = 0;
  let count = 0;
  if (options.format === 'csv')
    await write(
      options.out,
      csvRow(['event_id', 'type', 'name', 'timestamp', 'person_id', 'person_email', 'anonymous_id', 'data']),
    );
  for (;;) {
    const rows = await eventsPage(store.db, ws, after, predicate, pageSize);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.seq;
    let text = '';
    for (const r of rows) {
      const data = parseJson<Record<string, unknown>>(r.data);
      if (options.format === 'jsonl') {
        const identifiers =
          r.person_id != null
            ? { id: r.person_id }
            : r.person_email != null
              ? { email: r.person_email }
              : r.person_cio_id != null
                ? { cio_id: r.person_cio_id }
                : { anonymous_id: r.anonymous_id };
        text += `${JSON.stringify({
          type: 'person',
          action: r.type,
          identifiers,
          name: r.name,
          id: r.event_id,
          timestamp: Number(r.timestamp),
          attributes: data,
        })}\n`;
      } else {
        text += csvRow([
          r.event_id,
          r.type,
          r.name,
          String(r.timestamp),
          r.person_id ?? '',
          r.person_email ?? '',
          r.anonymous_id ?? '',
          JSON.stringify(data),
        ]);
      }
    }
    count += rows.length;
    await write(options.out, text);
    if (rows.length < pageSize) break;
  }
  return count;
}
