import type { AppSegment } from '@roster/protocol';
import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { ErrorBox } from '../components/error-box';
import { useObjectTypes } from '../data/use-object-types';
import { useAsync } from '../lib/use-async';
import { ExplainTree } from './explain-tree';

/** Why a person is (or is not) in a segment. */
export function ExplainView({
  segmentId,
  name,
  manual,
  cioId,
  segments,
}: {
  segmentId: number;
  name: string;
  manual: boolean;
  cioId: string;
  segments: AppSegment[];
}) {
  const state = useAsync((s) => App.explain(segmentId, cioId, s), [segmentId, cioId]);
  const types = useObjectTypes();
  if (state.error instanceof ApiError && state.error.missingRoute)
    return (
      <div class="explain">
        <ErrorBox error={state.error} what="Explanations" />
      </div>
    );
  return (
    <div class="explain" data-testid="explain">
      <AsyncView state={state} what="Explanation" label="Explaining…">
        {(r) => (
          <>
            <p class="small">
              {r.result ? <Badge tone="good">matches</Badge> : <Badge tone="bad">does not match</Badge>}{' '}
              {name}
            </p>
            {r.tree ? (
              <ExplainTree node={r.tree} segments={segments} types={types.data ?? []} />
            ) : (
              <p class="small muted">
                {manual ? `“${name}” is a manual segment: ` : ''}people are added and removed through the
                Track API.
              </p>
            )}
          </>
        )}
      </AsyncView>
    </div>
  );
}
