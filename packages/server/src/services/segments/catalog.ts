import { parseJson, type Tx } from '../../store/store.js';
import { catalogVersion } from '../../store/segments/segment-tables.js';
import { dynamicSegmentRows } from '../../store/segments/segments-read.js';
import { emptyNeeds, filterNeeds, type FilterNeeds, type FilterNode } from '../../filter/ast.js';
import { parseFilter } from '../../filter/parse-filter.js';

/** A dynamic segment ready to evaluate. */
export interface DynamicSegment {
  id: number;
  name: string;
  ast: FilterNode;
  needs: FilterNeeds;
}

/** A workspace's dynamic segments, parsed once per definition version. */
export interface Catalog {
  version: number;
  /** Dependency order: a segment comes after every dynamic segment its conditions refer to. */
  ordered: DynamicSegment[];
  byId: Map<number, DynamicSegment>;
  /** What evaluating all of them reads. */
  needs: FilterNeeds;
}

export async function loadDynamicSegments(db: Tx, workspaceId: number): Promise<DynamicSegment[]> {
  const rows = await dynamicSegmentRows(db, workspaceId);
  return rows.map((r) => {
    // Stored conditions were validated when written; parse again to get the typed tree.
    const ast = parseFilter(parseJson(r.conditions), '/segment/conditions');
    return { id: Number(r.id), name: r.name, ast, needs: filterNeeds(ast) };
  });
}

/**
 * Orders segments so references come first. Cycles are rejected when a definition is written
 * (`findCycle`), so every reference here is acyclic; a defensive visit set keeps a corrupt row from
 * looping.
 */
export function dependencyOrder(segments: readonly DynamicSegment[]): DynamicSegment[] {
  const byId = new Map(segments.map((s) => [s.id, s]));
  const out: DynamicSegment[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (s: DynamicSegment) => {
    if (state.has(s.id)) return;
    state.set(s.id, 'visiting');
    for (const ref of s.needs.segments) {
      const dep = byId.get(ref);
      if (dep) visit(dep);
    }
    state.set(s.id, 'done');
    out.push(s);
  };
  for (const s of segments) visit(s);
  return out;
}

/** A path of segment ids from `start` back to itself through references, or null. */
export function findCycle(start: number, refsOf: (id: number) => Iterable<number>): number[] | null {
  const path: number[] = [];
  const seen = new Set<number>();
  const walk = (id: number): boolean => {
    for (const next of refsOf(id)) {
      if (next === start) {
        path.push(next);
        return true;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      path.push(next);
      if (walk(next)) return true;
      path.pop();
    }
    return false;
  };
  return walk(start) ? [start, ...path] : null;
}

/** Segments that (transitively) refer to any of `ids`, in dependency order, excluding `ids`. */
export function dependents(ordered: readonly DynamicSegment[], ids: ReadonlySet<number>): DynamicSegment[] {
  const affected = new Set(ids);
  const out: DynamicSegment[] = [];
  for (const s of ordered) {
    if (affected.has(s.id)) continue;
    if ([...s.needs.segments].some((r) => affected.has(r))) {
      affected.add(s.id);
      out.push(s);
    }
  }
  return out;
}

/** What a set of segments needs read about a person, together. */
export function mergeNeeds(segments: readonly DynamicSegment[]): FilterNeeds {
  const needs = emptyNeeds();
  for (const s of segments) {
    needs.devices ||= s.needs.devices;
    needs.eventData ||= s.needs.eventData;
    needs.timed ||= s.needs.timed;
    for (const n of s.needs.eventNames) needs.eventNames.add(n);
    for (const n of s.needs.segments) needs.segments.add(n);
    for (const n of s.needs.objectTypes) needs.objectTypes.add(n);
    for (const n of s.needs.attributes) needs.attributes.add(n);
  }
  return needs;
}

/**
 * The segments whose result can change when only these attributes of a person change: those that
 * read one of them (a dot-path topic update counts as its top-level key), and every segment that
 * refers to one of those — in dependency order.
 */
export function segmentsReading(catalog: Catalog, attributes: ReadonlySet<string>): DynamicSegment[] {
  // Writes keep changing the same few attribute sets: the answer is kept per catalog version.
  const key = JSON.stringify([...attributes].sort());
  let known = readingCache.get(catalog);
  if (!known) readingCache.set(catalog, (known = new Map()));
  const hit = known.get(key);
  if (hit) return hit;
  const found = computeSegmentsReading(catalog, attributes);
  if (known.size >= 256) known.clear();
  known.set(key, found);
  return found;
}

const readingCache = new WeakMap<Catalog, Map<string, DynamicSegment[]>>();

function computeSegmentsReading(catalog: Catalog, attributes: ReadonlySet<string>): DynamicSegment[] {
  const reads = (s: DynamicSegment) =>
    [...attributes].some((a) => s.needs.attributes.has(a) || s.needs.attributes.has(a.split('.', 1)[0]!));
  const ids = new Set(catalog.ordered.filter(reads).map((s) => s.id));
  for (const d of dependents(catalog.ordered, ids)) ids.add(d.id);
  return catalog.ordered.filter((s) => ids.has(s.id));
}

export function buildCatalog(version: number, segments: readonly DynamicSegment[]): Catalog {
  const ordered = dependencyOrder(segments);
  const needs = mergeNeeds(ordered);
  return { version, ordered, byId: new Map(ordered.map((s) => [s.id, s])), needs };
}

/**
 * Parsed definitions per workspace, reused while the workspace's catalog version (one primary-key
 * read per write) is unchanged. Safe across processes: another server's edit bumps the version.
 */
export class CatalogCache {
  private readonly cache = new Map<number, Catalog>();

  /** Forgets every catalog (a transaction that may have loaded uncommitted definitions was lost). */
  clear(): void {
    this.cache.clear();
  }

  /** The last catalog seen for the workspace, possibly stale. */
  peek(workspaceId: number): Catalog | undefined {
    return this.cache.get(workspaceId);
  }

  async get(db: Tx, workspaceId: number, knownVersion?: number): Promise<Catalog> {
    const version = knownVersion ?? (await catalogVersion(db, workspaceId));
    const hit = this.cache.get(workspaceId);
    if (hit && hit.version === version) return hit;
    const catalog = buildCatalog(version, version === 0 ? [] : await loadDynamicSegments(db, workspaceId));
    this.cache.set(workspaceId, catalog);
    return catalog;
  }
}
