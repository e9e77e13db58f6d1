import { InvalidInputError } from '../../lib/errors.js';

/** Per-route page sizes (docs/app-api.md "Conventions"): `[default, maximum]`. */
export const PAGE_LIMITS = {
  search: [50, 1000],
  membership: [1000, 30000],
  activities: [10, 100],
  messages: [50, 1000],
  objects: [50, 1000],
  relationships: [50, 1000],
  pipelinesErrors: [50, 1000],
} as const satisfies Record<string, readonly [number, number]>;

/** Reads `?limit=`: absent → the default, above the maximum → clamped, not a positive integer → 400. */
export function pageLimit(raw: unknown, route: keyof typeof PAGE_LIMITS): number {
  const [fallback, max] = PAGE_LIMITS[route];
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError('limit', 'limit must be a positive integer');
  return Math.min(n, max);
}
