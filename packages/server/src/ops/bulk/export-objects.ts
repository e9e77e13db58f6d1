import type { Workspace } from '../../store/workspaces/workspace.js';
import { objectsPage, relationshipsPage } from '../../store/bulk/export-pages.js';
import { parseJson, type Store } from '../../store/store.js';
import { csvLine, guardFormula } from './csv.js';

/** Relationships per `add_relationships` line: well under a v2 operation's 32 KB and 1,000 limits. */
const RELATIONSHIPS_PER_LINE = 100;

export interface ObjectExportOptions {
  what: 'objects' | 'relationships';
  format: 'jsonl' | 'csv';
  workspace: Workspace;
  /** Only objects (relationships) of this type. */
  typeId?: string | undefined;
  out: NodeJS.WritableStream;
  pageSize?: number;
}

async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (text === '') return;
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return guardFormula(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return guardFormula(JSON.stringify(value) ?? '');
}

function own(attributes: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(attributes, name) ? attributes[name] : undefined;
}

type ObjectPage = Awaited<ReturnType<typeof objectsPage>>;
type RelationshipPage = Awaited<ReturnType<typeof relationshipsPage>>;

async function* objectPages(store: Store, o: ObjectExportOptions, size: number): AsyncGenerator<ObjectPage> {
  for (let after = 0; ;) {
    const rows = await objectsPage(store.db, o.workspace.id, o.typeId, after, size);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = Number(rows[rows.length - 1]!.oid);
  }
}

async function* relationshipPages(
  store: Store,
  o: ObjectExportOptions,
  size: number,
): AsyncGenerator<RelationshipPage> {
  for (let after = { oid: 0, pid: 0 }; ;) {
    const rows = await relationshipsPage(store.db, o.workspace.id, o.typeId, after, size);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    const last = rows[rows.length - 1]!;
    after = { oid: Number(last.object_oid), pid: Number(last.person_pid) };
  }
}

/** A person as a relationship names them: id, else email, else cio_id (valid only where they live). */
function personIdentifiers(r: RelationshipPage[number]): Record<string, string> {
  return r.id !== null ? { id: r.id } : r.email !== null ? { email: r.email } : { cio_id: r.cio_id };
}

/**
 * `roster export objects|relationships` (docs/import-export.md "Objects and relationships"),
 * streamed in keyset pages. JSON Lines (`objects`): every object as a Track API v2 object identify
 * (plus `_cio_object_id`, `_created_at`, `_updated_at`), then every relationship in
 * `add_relationships` lines of at most 100 people per object, so `roster import` reads it back.
 * CSV: `objects` one row per object, a column per attribute; `relationships` one row per
 * relationship, a column per relationship attribute. Returns the number of objects (relationships).
 */
export async function exportObjects(store: Store, o: ObjectExportOptions): Promise<number> {
  const size = o.pageSize ?? 1000;
  if (o.format === 'jsonl')
    return o.what === 'objects' ? objectsJsonl(store, o, size) : relationshipsJsonl(store, o, size);
  return o.what === 'objects' ? objectsCsv(store, o, size) : relationshipsCsv(store, o, size);
}

async function objectsJsonl(store: Store, o: ObjectExportOptions, size: number): Promise<number> {
  let count = 0;
  for await (const page of objectPages(store, o, size)) {
    let text = '';
    for (const r of page)
      text += `${JSON.stringify({
        type: 'object',
        action: 'identify',
        identifiers: { object_type_id: r.type_id, object_id: r.object_id },
        attributes: parseJson<Record<string, unknown>>(r.attributes),
        _cio_object_id: r.cio_object_id,
        _created_at: Number(r.created_at),
        _updated_at: Number(r.updated_at),
      })}\n`;
    count += page.length;
    await write(o.out, text);
  }
  await relationshipsJsonl(store, o, size);
  return count;
}

async function relationshipsJsonl(store: Store, o: ObjectExportOptions, size: number): Promise<number> {
  let count = 0;
  let open: { oid: number; line: Record<string, unknown>; people: unknown[] } | undefined;
  const flush = () => {
    if (!open || open.people.length === 0) return '';
    const text = `${JSON.stringify({ ...open.line, cio_relationships: open.people })}\n`;
    open.people = [];
    return text;
  };
  for await (const page of relationshipPages(store, o, size)) {
    let text = '';
    for (const r of page) {
      const oid = Number(r.object_oid);
      if (open?.oid !== oid || open.people.length >= RELATIONSHIPS_PER_LINE) {
        text += flush();
        if (open?.oid !== oid)
          open = {
            oid,
            line: {
              type: 'object',
              action: 'add_relationships',
              identifiers: { object_type_id: r.type_id, object_id: r.object_id },
            },
            people: [],
          };
      }
      open!.people.push({
        identifiers: personIdentifiers(r),
        relationship_attributes: parseJson<Record<string, unknown>>(r.attributes),
      });
    }
    count += page.length;
    await write(o.out, text);
  }
  await write(o.out, flush());
  return count;
}

async function objectsCsv(store: Store, o: ObjectExportOptions, size: number): Promise<number> {
  const names = new Set<string>();
  for await (const page of objectPages(store, o, size * 5))
    for (const r of page)
      for (const k of Object.keys(parseJson<Record<string, unknown>>(r.attributes))) names.add(k);
  const fixed = ['object_type_id', 'object_id', '_cio_object_id', '_created_at', '_updated_at'];
  for (const f of fixed) names.delete(f);
  const attrs = [...names].sort();
  await write(o.out, csvLine([...fixed, ...attrs].map(guardFormula)));
  let count = 0;
  for await (const page of objectPages(store, o, size)) {
    let text = '';
    for (const r of page) {
      const a = parseJson<Record<string, unknown>>(r.attributes);
      text += csvLine([
        guardFormula(r.type_id),
        guardFormula(r.object_id),
        r.cio_object_id,
        String(r.created_at),
        String(r.updated_at),
        ...attrs.map((n) => cell(own(a, n))),
      ]);
    }
    count += page.length;
    await write(o.out, text);
  }
  return count;
}

async function relationshipsCsv(store: Store, o: ObjectExportOptions, size: number): Promise<number> {
  const names = new Set<string>();
  for await (const page of relationshipPages(store, o, size * 5))
    for (const r of page)
      for (const k of Object.keys(parseJson<Record<string, unknown>>(r.attributes))) names.add(k);
  const fixed = ['object_type_id', 'object_id', 'id', 'email'];
  for (const f of fixed) names.delete(f);
  const attrs = [...names].sort();
  await write(o.out, csvLine([...fixed, ...attrs].map(guardFormula)));
  let count = 0;
  for await (const page of relationshipPages(store, o, size)) {
    let text = '';
    for (const r of page) {
      const a = parseJson<Record<string, unknown>>(r.attributes);
      text += csvLine([
        guardFormula(r.type_id),
        guardFormula(r.object_id),
        guardFormula(r.id ?? ''),
        guardFormula(r.email ?? ''),
        ...attrs.map((n) => cell(own(a, n))),
      ]);
    }
    count += page.length;
    await write(o.out, text);
  }
  return count;
}
