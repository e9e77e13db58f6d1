import { InvalidInputError } from '../../lib/errors.js';
import type { FilterNode } from '../../filter/ast.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_NODES, parseFilter } from '../../filter/parse-filter.js';

function invalid(pointer: string, message: string): InvalidInputError {
  return new InvalidInputError(pointer, `invalid filter: ${message}`, 'invalid_filter');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * An object filter (`POST /v1/objects`): Customer.io's `and`/`or`/`not` over `object_attribute`
 * leaves `{field, operator, value, type_id}`. Roster also takes `attribute` leaves and every
 * operator people search takes (`ne`, `gt`, `contains`, `starts_with`, `in`, …). A leaf's
 * `type_id`, when given, must be the searched type. `object_id` and `cio_object_id` match the
 * identifiers. Segment, device and event leaves are about people and are refused.
 */
export function parseObjectFilter(raw: unknown, typeId: string, pointer = '/filter'): FilterNode {
  let nodes = 0;
  const rewrite = (node: unknown, at: string, depth: number): unknown => {
    if (depth > MAX_FILTER_DEPTH) throw invalid(at, `nesting is deeper than ${MAX_FILTER_DEPTH} levels`);
    if (++nodes > MAX_FILTER_NODES) throw invalid(at, `more than ${MAX_FILTER_NODES} filter nodes`);
    if (!isObject(node)) throw invalid(at, 'a filter must be an object');
    const keys = Object.keys(node);
    if (keys.length !== 1)
      throw invalid(at, 'a filter object takes exactly one of and, or, not, object_attribute');
    const key = keys[0]!;
    const body = node[key];
    const here = `${at}/${key}`;
    switch (key) {
      case 'and':
      case 'or':
        if (!Array.isArray(body)) throw invalid(here, `${key} must be a non-empty array of filters`);
        return { [key]: body.map((c, i) => rewrite(c, `${here}/${i}`, depth + 1)) };
      case 'not':
        return { not: rewrite(body, here, depth + 1) };
      case 'object_attribute':
      case 'attribute': {
        if (!isObject(body)) throw invalid(here, `${key} must be an object {field, operator, value}`);
        const { type_id: leafType, ...rest } = body;
        if (leafType !== undefined && leafType !== null && String(leafType) !== typeId)
          throw invalid(
            `${here}/type_id`,
            `type_id ${String(leafType)} is not the searched object_type_id ${typeId}`,
          );
        return { attribute: rest };
      }
      default:
        throw invalid(
          here,
          `${key.slice(0, 40)} is not an object condition (use and, or, not, object_attribute)`,
        );
    }
  };
  return parseFilter(rewrite(raw, pointer, 0), pointer);
}
