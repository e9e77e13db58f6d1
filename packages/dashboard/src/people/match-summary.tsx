import type { AppSegment } from '@roster/protocol';
import { ErrorBox } from '../components/error-box';
import { navigate } from '../lib/router';
import { num, plural } from '../models/format';
import { conditionsOf, describeQuery, modeOf, suggestedName, type PeopleQuery } from '../models/people-query';
import { segmentNames } from '../models/segment-names';
import { usePeopleCount } from './use-people';

/** "7 people match people whose email starts with “ann”" — and "Save as segment". */
export function MatchSummary({
  query,
  queryKey,
  segments,
}: {
  query: PeopleQuery;
  queryKey: string;
  segments: AppSegment[];
}) {
  const count = usePeopleCount(query, queryKey);
  const searching = modeOf(query) !== 'all';
  const conditions = conditionsOf(query);
  // A count for the previous search is not shown while this one's is on its way.
  const n = count.loading ? undefined : count.data;
  const text = !n
    ? null
    : !searching
      ? plural(n.count, 'person', 'people')
      : n.capped
        ? `More than ${num(n.count)} people match`
        : `${plural(n.count, 'person matches', 'people match')}`;
  return (
    <div class="match-summary" data-testid="match-summary">
      <p aria-live="polite">
        {count.error ? null : text ? (
          <strong data-testid="match-count">{text}</strong>
        ) : (
          <span class="muted">Counting…</span>
        )}
        {searching ? <span class="muted">: {describeQuery(query, segmentNames(segments))}</span> : null}
      </p>
      {count.error ? <ErrorBox error={count.error} what="Count" retry={count.reload} /> : null}
      {searching && conditions ? (
        <button
          type="button"
          onClick={() =>
            navigate(
              `/segments/new?${new URLSearchParams({ name: suggestedName(query), conditions: JSON.stringify(conditions) })}`,
            )
          }
        >
          Save as segment
        </button>
      ) : null}
    </div>
  );
}
