import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { AttributeNode, EventNode, FilterNode, JsonPath } from '../../filter/ast.js';
import { sqlitePath } from './json-sql.js';
import { truthy } from '../../filter/values.js';
import { emailKey } from '../../lib/email.js';

export { truthy } from '../../filter/values.js';

/** A boolean SQL expression over the `people` row aliased `p` (never NULL, so `not` is exact). */
export type Predicate = RawBuilder<boolean>;

/** A predicate no person matches (every member of a deleted segment exits). */
export const MATCHES_NO_ONE: Predicate = sql<boolean>`(1 = 0)`;
/** A predicate everything matches (an object search without a filter). */
export const MATCHES_ALL: Predicate = sql<boolean>`(1 = 1)`;
type Expr = RawBuilder<unknown>;

/** A value as SQL: the same three views `values.ts` defines (text/num are NULL when absent). */
interface SqlValue {
  present: Expr;
  /** null: this value never has text (objects, arrays). */
  text: Expr | null;
  num: Expr | null;
  /** Cheaper text for `eq`/`in` when the compared values cannot be confused (see `fastSafe`). */
  fastText?: Expr;
  /** Turns the compared value into the stored form (emails lower-case, cio_ prefix stripped). */
  normalize?: (s: string) => string;
  /**
   * A plain indexed column (id, email_norm, cio_id): `eq`/`in` compare it bare, NULL-guarded with
   * `is not null and`, so the unique index is used — wrapped in coalesce(), SQLite scans people.
   */
  indexed?: boolean;
}

type Scope = 'person' | 'device' | 'event' | 'object' | 'relationship';

export interface CompileOptions {
  /** Unix seconds; `within` windows end here. */
  now: number;
  /**
   * The workspace's indexed person attributes whose index is ready (attribute-indexes.ts): a
   * condition on one of them is written as the indexed expression itself, so the planner uses it.
   */
  indexes?: IndexedAttributes;
}

/** Which top-level person attributes of one workspace have a ready index, by kind. */
export interface IndexedAttributes {
  workspaceId: number;
  /** `eq`/`in` on these read the text index. */
  text: ReadonlySet<string>;
  /** `gt`/`gte`/`lt`/`lte` on these read the number index. */
  number: ReadonlySet<string>;
}

/** The kinds of attribute index: what each one serves is `IndexedAttributes`. */
export type AttributeIndexKind = 'text' | 'number';

/**
 * The expression an attribute index of `kind` stores for the top-level key `name` of `column`
 * (the person's attributes): exactly the value view the filter compares (`values.ts`), with the
 * key as a literal, so the SQL a filter compiles to and the index definition are the same text.
 */
export function attributeIndexExpression(
  dialect: DialectName,
  kind: AttributeIndexKind,
  column: RawBuilder<unknown>,
  name: string,
): RawBuilder<unknown> {
  const v = new Compiler(dialect, 0).literalJson(column, name);
  return kind === 'text' ? v.text! : v.num!;
}

/** A string as an SQL literal (both engines: standard quoting, no backslash escapes). */
export function sqlString(s: string): RawBuilder<unknown> {
  return sql.raw(`'${s.replace(/'/g, "''")}'`);
}

/**
 * Compiles a filter to one SQL predicate over `people as p`, so search, counts and segment backfill
 * run in the database: and/or/not map to SQL connectives, `segment` to an EXISTS on memberships
 * (primary key), identifiers to their columns, custom attributes to JSON reads, `device` to one
 * EXISTS over the person's devices (so all its conditions hold on the same device), `event` to an
 * EXISTS or a COUNT over the person's events (index `events_person`). Mirrors `evaluate.ts` rule
 * for rule; see `values.ts`.
 *
 * @example sql`select pid from people as p where p.workspace_id = ${ws} and ${compileFilter(ast, 'sqlite', { now })}`
 */
export function compileFilter(
  node: FilterNode,
  dialect: DialectName,
  options: CompileOptions = { now: Math.floor(Date.now() / 1000) },
): Predicate {
  return new Compiler(dialect, options.now, options.indexes).compile(node, 'person');
}

/**
 * The same language over `objects as o` (App API `POST /v1/objects`, docs/objects.md): attribute
 * leaves read the object's attributes; `object_id` and `cio_object_id` read its identifier columns.
 * Filters with segment, device or event leaves are refused before they get here
 * (services/objects/object-filter.ts).
 */
export function compileObjectFilter(node: FilterNode, dialect: DialectName): Predicate {
  return new Compiler(dialect, Math.floor(Date.now() / 1000)).compile(node, 'object');
}

class Compiler {
  constructor(
    private readonly dialect: DialectName,
    private readonly now: number,
    private readonly indexes?: IndexedAttributes,
  ) {}

  compile(node: FilterNode, scope: Scope): Predicate {
    switch (node.kind) {
      case 'and':
      case 'or':
        return sql<boolean>`(${sql.join(
          node.children.map((c) => this.compile(c, scope)),
          node.kind === 'and' ? sql` and ` : sql` or `,
        )})`;
      case 'not':
        return sql<boolean>`(not ${this.compile(node.child, scope)})`;
      case 'segment':
        return sql<boolean>`(exists (select 1 from segment_memberships as sm where sm.workspace_id = p.workspace_id and sm.segment_id = ${node.segmentId} and sm.person_pid = p.pid))`;
      case 'attribute': {
        const test =
          scope === 'object' ? this.apply(node, this.objectValue(node)) : this.attribute(node, scope);
        return node.inverse ? sql<boolean>`(not ${test})` : test;
      }
      case 'device':
        return sql<boolean>`(exists (select 1 from devices as d where d.workspace_id = p.workspace_id and d.person_pid = p.pid and ${this.compile(node.filter, 'device')}))`;
      case 'event':
        return this.event(node);
      case 'object': {
        // One relationship (and its object) satisfies both parts: index relationships_pk on
        // (person_pid, object_oid), then the object by its primary key.
        const parts: Expr[] = [
          sql`r.workspace_id = p.workspace_id`,
          sql`r.person_pid = p.pid`,
          sql`o.type_id = ${node.typeId}`,
        ];
        if (node.where) parts.push(this.compile(node.where, 'object'));
        if (node.relationship) parts.push(this.compile(node.relationship, 'relationship'));
        return sql<boolean>`(exists (select 1 from relationships as r join objects as o on o.oid = r.object_oid and o.workspace_id = r.workspace_id where ${sql.join(parts, sql` and `)}))`;
      }
    }
  }

  private event(node: EventNode): Predicate {
    const parts: Expr[] = [
      sql`e.workspace_id = p.workspace_id`,
      sql`e.person_pid = p.pid`,
      sql`e.name = ${node.name}`,
      sql`e.type = ${node.type}`,
    ];
    if (node.withinSeconds !== null) parts.push(sql`e.timestamp >= ${this.now - node.withinSeconds}`);
    if (node.where) parts.push(this.compile(node.where, 'event'));
    const from = sql`from events as e where ${sql.join(parts, sql` and `)}`;
    const { operator: op, value } = node.count;
    // "at least once" and "never" need no count: EXISTS stops at the first row.
    if ((op === 'gte' && value === 1) || (op === 'gt' && value === 0))
      return sql<boolean>`(exists (select 1 ${from}))`;
    if ((op === 'eq' && value === 0) || (op === 'lt' && value === 1) || (op === 'lte' && value === 0))
      return sql<boolean>`(not exists (select 1 ${from}))`;
    const cmp = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
    return sql<boolean>`((select count(*) ${from}) ${sql.raw(cmp)} ${value})`;
  }

  /** An object's value: its identifier columns, or an attribute (person fields are attributes here). */
  private objectValue(node: AttributeNode): SqlValue {
    const t = node.target;
    const path = t.kind === 'json' ? t.path : { alternatives: [[t.field]] };
    const only = path.alternatives.length === 1 ? path.alternatives[0]! : [];
    if (only.length === 1 && (only[0] === 'object_id' || only[0] === 'cio_object_id')) {
      const column = only[0] === 'object_id' ? sql`o.object_id` : sql`o.cio_object_id`;
      return { present: sql`(1 = 1)`, text: column, num: this.numeric(column), indexed: true };
    }
    return this.json(sql`o.attributes`, path);
  }

  private attribute(node: AttributeNode, scope: Scope): Predicate {
    const t = node.target;
    if (t.kind === 'person' && t.field === 'unsubscribed') {
      if (node.operator === 'exists') return sql<boolean>`(p.unsubscribed = 1)`;
      if (node.operator === 'eq' || node.operator === 'ne') {
        const want = truthy(node.value ?? '') === (node.operator === 'eq');
        return want ? sql<boolean>`(p.unsubscribed = 1)` : sql<boolean>`(p.unsubscribed = 0)`;
      }
    }
    const indexed = scope === 'person' ? this.indexedAttribute(node) : undefined;
    if (indexed) return indexed;
    return this.apply(node, this.normalize(node, scope));
  }

  /**
   * A condition an attribute index serves, written so the planner uses it: the indexed expression
   * (`attributeIndexExpression`, key inline) compared bare and NULL-guarded, never inside
   * coalesce(), plus the workspace as a literal, which the per-workspace partial index requires.
   * Same result as `apply` on the same view, so the answer never depends on which indexes exist.
   */
  private indexedAttribute(node: AttributeNode): Predicate | undefined {
    const ix = this.indexes;
    const t = node.target;
    if (!ix || t.kind !== 'json' || t.path.alternatives.length !== 1) return undefined;
    const path = t.path.alternatives[0]!;
    if (path.length !== 1) return undefined;
    const name = path[0]!;
    const ws = sql.raw(String(Math.trunc(ix.workspaceId)));
    const column = sql`p.attributes`;
    const op = node.operator;
    if ((op === 'eq' || op === 'in') && ix.text.has(name)) {
      const x = attributeIndexExpression(this.dialect, 'text', column, name);
      const values = op === 'eq' ? [node.value ?? ''] : (node.values ?? []);
      if (values.length === 0) return sql<boolean>`(1 = 0)`;
      const test =
        op === 'eq'
          ? sql`${x} = ${this.param(values[0]!)}`
          : sql`${x} in (${sql.join(values.map((s) => this.param(s)))})`;
      return sql<boolean>`(p.workspace_id = ${ws} and ${x} is not null and ${test})`;
    }
    if ((op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') && ix.number.has(name)) {
      const x = attributeIndexExpression(this.dialect, 'number', column, name);
      const cmp = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
      return sql<boolean>`(p.workspace_id = ${ws} and ${x} is not null and ${x} ${sql.raw(cmp)} ${this.param(node.number ?? 0)})`;
    }
    return undefined;
  }

  /** `jsonAt` for one top-level key written as a literal (what an expression index needs). */
  literalJson(column: Expr, name: string): SqlValue {
    return this.jsonAt(column, [name], true);
  }

  private normalize(node: AttributeNode, scope: Scope): SqlValue {
    const t = node.target;
    const always = sql`(1 = 1)`;
    if (t.kind === 'json') {
      const column =
        scope === 'person'
          ? sql`p.attributes`
          : scope === 'device'
            ? sql`d.attributes`
            : scope === 'relationship'
              ? sql`r.attributes`
              : sql`e.data`;
      return this.json(column, t.path);
    }
    if (t.kind === 'person') {
      switch (t.field) {
        case 'id':
          return {
            present: sql`(p.id is not null)`,
            text: sql`p.id`,
            num: this.numeric(sql`p.id`),
            indexed: true,
          };
        case 'email':
          return {
            present: sql`(p.email_norm is not null)`,
            text: sql`p.email_norm`,
            num: this.numeric(sql`p.email_norm`),
            normalize: emailKey,
            indexed: true,
          };
        case 'cio_id':
          return {
            present: always,
            text: sql`p.cio_id`,
            num: this.numeric(sql`p.cio_id`),
            normalize: (s) => s.replace(/^cio_/, ''),
            indexed: true,
          };
        case 'unsubscribed':
          return {
            present: always,
            text: sql`(case when p.unsubscribed = 1 then 'true' else 'false' end)`,
            num: null,
          };
      }
    }
    switch (t.field) {
      case 'id':
        return { present: always, text: sql`d.token`, num: this.numeric(sql`d.token`) };
      case 'platform':
        return { present: always, text: sql`d.platform`, num: this.numeric(sql`d.platform`) };
      case 'last_used':
        return { present: always, text: sql`cast(d.last_used as text)`, num: sql`d.last_used` };
      case '_last_status':
        return {
          present: sql`(d.last_status <> '')`,
          text: sql`d.last_status`,
          num: this.numeric(sql`d.last_status`),
        };
    }
  }

  /** A plain decimal string as a number, else NULL (`values.ts` PLAIN_DECIMAL). */
  private numeric(s: Expr): Expr {
    if (this.dialect === 'postgres')
      return sql`(case when ${s} ~ '^-?[0-9]+(\\.[0-9]+)?$' then (${s})::float8 end)`;
    const u = sql`(case when substr(${s}, 1, 1) = '-' then substr(${s}, 2) else ${s} end)`;
    return sql`(case when ${u} glob '[0-9]*' and ${u} glob '*[0-9]' and not ${u} glob '*[^0-9.]*' and not ${u} glob '*.*.*' then cast(${s} as real) end)`;
  }

  private json(column: Expr, path: JsonPath): SqlValue {
    const alts = path.alternatives.map((a) => this.jsonAt(column, a));
    if (alts.length === 1) return alts[0]!;
    // The first alternative whose top-level key is present wins (ast.ts JsonPath).
    const [first, second] = [alts[0]!, alts[1]!];
    const key = path.alternatives[0]![0]!;
    const has =
      this.dialect === 'postgres'
        ? sql`((${column} -> ${key}::text) is not null)`
        : sql`(json_type(${column}, ${sqlitePath([key])}) is not null)`;
    const pick = (a: Expr, b: Expr) => sql`(case when ${has} then ${a} else ${b} end)`;
    return {
      present: pick(first.present, second.present),
      text: pick(first.text!, second.text!),
      num: pick(first.num!, second.num!),
      fastText: pick(first.fastText!, second.fastText!),
    };
  }

  private jsonAt(column: Expr, path: readonly string[], literal = false): SqlValue {
    if (this.dialect === 'postgres') {
      const keys = path.map((k) => (literal ? sqlString(k) : sql`${k}::text`));
      const last = keys[keys.length - 1]!;
      const parent = keys.slice(0, -1).reduce<Expr>((acc, k) => sql`(${acc} -> ${k})`, column);
      const e = sql`(${parent} -> ${last})`;
      const t = sql`(${parent} ->> ${last})`;
      return {
        present: sql`(coalesce(jsonb_typeof(${e}), 'null') <> 'null')`,
        text: sql`(case jsonb_typeof(${e}) when 'string' then ${t} when 'number' then ${t} when 'boolean' then ${t} end)`,
        num: sql`(case jsonb_typeof(${e}) when 'number' then (${t})::float8 when 'string' then ${this.numeric(t)} end)`,
        fastText: t,
      };
    }
    const p = literal ? sqlString(sqlitePath(path)) : sql`${sqlitePath(path)}`;
    const x = sql`json_extract(${column}, ${p})`;
    const type = sql`json_type(${column}, ${p})`;
    return {
      present: sql`(coalesce(${type}, 'null') <> 'null')`,
      text: sql`(case ${type} when 'text' then ${x} when 'integer' then cast(${x} as text) when 'real' then cast(${x} as text) when 'true' then 'true' when 'false' then 'false' end)`,
      num: sql`(case ${type} when 'integer' then ${x} when 'real' then ${x} when 'text' then ${this.numeric(x)} end)`,
      fastText: x,
    };
  }

  /**
   * `eq`/`in` may compare the raw JSON read when no stored non-string could produce the same text:
   * SQLite's json_extract gives numbers and booleans as numbers, so a value that cannot be the text
   * of a number (it has a character other than digits, `.`, `e`, `+`, `-`) and is not
   * "true"/"false" cannot be confused; objects and arrays come back as JSON text, hence no `{`/`[`
   * start. PostgreSQL's `->>` gives numbers and booleans as their text, objects as JSON text.
   */
  private fastSafe(s: string): boolean {
    if (s.startsWith('{') || s.startsWith('[')) return false;
    if (this.dialect === 'postgres') return true;
    return !/^[0-9.eE+-]*$/.test(s) && s !== 'true' && s !== 'false';
  }

  private param(v: string | number): Expr {
    if (this.dialect !== 'postgres') return sql`${v}`;
    return typeof v === 'number' ? sql`${v}::float8` : sql`${v}::text`;
  }

  private apply(node: AttributeNode, v: SqlValue): Predicate {
    const normalize = v.normalize ?? ((s: string) => s);
    const never = sql<boolean>`(1 = 0)`;
    const text = v.text;
    const want = normalize(node.value ?? '');
    switch (node.operator) {
      case 'exists':
        return sql<boolean>`${v.present}`;
      case 'eq': {
        if (v.indexed && text) return sql<boolean>`(${text} is not null and ${text} = ${this.param(want)})`;
        const t = v.fastText && this.fastSafe(want) ? v.fastText : text;
        return t ? sql<boolean>`coalesce(${t} = ${this.param(want)}, false)` : never;
      }
      case 'ne':
        return text ? sql<boolean>`coalesce(${text} <> ${this.param(want)}, false)` : never;
      case 'contains':
        if (!text) return never;
        return this.dialect === 'postgres'
          ? sql<boolean>`coalesce(strpos(${text}, ${this.param(want)}) > 0, false)`
          : sql<boolean>`coalesce(instr(${text}, ${want}) > 0, false)`;
      case 'starts_with':
        if (!text) return never;
        return this.dialect === 'postgres'
          ? sql<boolean>`coalesce(left(${text}, length(${this.param(want)})) = ${this.param(want)}, false)`
          : sql<boolean>`coalesce(substr(${text}, 1, length(${want})) = ${want}, false)`;
      case 'in': {
        const list = (node.values ?? []).map(normalize);
        if (v.indexed && text)
          return sql<boolean>`(${text} is not null and ${text} in (${sql.join(list.map((s) => this.param(s)))}))`;
        const t = v.fastText && list.every((s) => this.fastSafe(s)) ? v.fastText : text;
        if (!t) return never;
        return sql<boolean>`coalesce(${t} in (${sql.join(list.map((s) => this.param(s)))}), false)`;
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        if (!v.num) return never;
        const cmp = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[node.operator];
        return sql<boolean>`coalesce(${v.num} ${sql.raw(cmp)} ${this.param(node.number ?? 0)}, false)`;
      }
    }
  }
}
