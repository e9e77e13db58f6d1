import type { AppObject } from '@roster/protocol';
import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';
import { objectFilterOf, type ObjectsQuery } from '../models/objects-query';

/** One page of a type's objects for a query (`POST /v1/objects`, with the objects' attributes). */
export function useObjectsPage(query: ObjectsQuery, queryKey: string, start: string, limit: number) {
  return useAsync<{ objects: AppObject[]; next: string } | null>(
    async (signal) => {
      if (!query.type) return null;
      const r = await App.objects(query.type, objectFilterOf(query), start, limit, signal);
      return { objects: r.objects, next: r.next };
    },
    [queryKey, start, limit],
  );
}
