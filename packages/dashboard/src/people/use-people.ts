import type { AppCustomer, AppIdentifiers } from '@roster/protocol';
import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';
import { EVERYONE } from '../models/conditions';
import { conditionsOf, modeOf, type PeopleQuery } from '../models/people-query';

export interface PeoplePageData {
  people: AppIdentifiers[];
  next: string;
  /** Profiles by cio_id (for the columns); missing when that request failed. */
  profiles: Map<string, AppCustomer>;
  profileError: unknown;
}

/**
 * One page of the People list for a query: the search box alone uses the prefix search (identifier
 * indexes); an attribute test or builder conditions go through the filter search. Then the page's
 * profiles, for the chosen columns.
 */
export function usePeoplePage(query: PeopleQuery, queryKey: string, start: string, limit: number) {
  return useAsync<PeoplePageData>(
    async (signal) => {
      const mode = modeOf(query);
      const found =
        mode === 'prefix'
          ? await App.prefixSearch(query.q, start, limit, signal)
          : await App.search(conditionsOf(query) ?? EVERYONE, start, limit, signal);
      const cioIds = found.identifiers.map((i) => i.cio_id);
      const profiles = new Map<string, AppCustomer>();
      let profileError: unknown = null;
      if (cioIds.length) {
        try {
          for (const c of await App.customers(cioIds, signal)) profiles.set(c.identifiers.cio_id, c);
        } catch (err) {
          if (signal.aborted) throw err;
          profileError = err;
        }
      }
      return { people: found.identifiers, next: found.next, profiles, profileError };
    },
    [queryKey, start, limit],
  );
}

/** How many people the query matches: `capped` when there are more than `count`. */
export function usePeopleCount(query: PeopleQuery, queryKey: string) {
  return useAsync<{ count: number; capped: boolean }>(
    async (signal) => {
      if (modeOf(query) === 'prefix') {
        const r = await App.prefixSearch(query.q, '', 1, signal);
        return { count: r.count, capped: r.count_capped };
      }
      return { count: await App.countConditions(conditionsOf(query) ?? EVERYONE, signal), capped: false };
    },
    [queryKey],
  );
}
