import type { SegmentConditions } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { Empty } from '../components/empty';
import { Link } from '../components/link';
import { PageTitle } from '../components/page-title';
import { useSegments } from '../data/use-segments';
import { useAsync } from '../lib/use-async';
import { SegmentEditor } from './segment-editor';
import { SegmentHistory } from './segment-history';
import { SegmentMembers } from './segment-members';

/** What "Save as segment" on People passes along: `?name=…&conditions=<json>`. */
function prefill(): { name: string; conditions: SegmentConditions | null } {
  const p = new URLSearchParams(location.search);
  let conditions: SegmentConditions | null = null;
  try {
    const raw = p.get('conditions');
    conditions = raw ? (JSON.parse(raw) as SegmentConditions) : null;
  } catch {
    conditions = null;
  }
  return { name: p.get('name') ?? '', conditions };
}

/** `/segments/new` (id null) and `/segments/:id`: its definition, members and size over time. */
export function SegmentPage({ id }: { id: number | null }) {
  const segment = useAsync((s) => (id === null ? Promise.resolve(null) : App.segment(id, s)), [id]);
  const all = useSegments();
  // "Saved." outlives the editor, which starts afresh from what the server now holds.
  const [saved, setSaved] = useState<string | null>(null);

  if (segment.error instanceof ApiError && segment.error.status === 404 && !segment.error.missingRoute) {
    return (
      <section>
        <PageTitle tab={['Segment not found', 'Segments']}>Segment not found</PageTitle>
        <Empty>
          There is no segment #{id}. <Link href="/segments">All segments</Link>
        </Empty>
      </section>
    );
  }
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/segments">Segments</Link> <span aria-hidden="true">/</span>
      </nav>
      <AsyncView state={segment} what="Segment" label="Loading segment…">
        {(s) => (
          <>
            <PageTitle
              tab={[s ? s.name : 'New segment', 'Segments']}
              actions={s ? <Badge tone={s.type === 'dynamic' ? 'info' : 'neutral'}>{s.type}</Badge> : null}
            >
              {s ? s.name : 'New segment'}
            </PageTitle>
            <SegmentEditor
              key={s ? `${s.id}:${s.updated_at}` : 'new'}
              segment={s}
              prefill={s ? null : prefill()}
              segments={all.data ?? []}
              saved={saved}
              onSaved={(text) => {
                setSaved(text);
                segment.reload();
              }}
            />
            {s ? (
              <div class="grid">
                <div class="col">
                  <SegmentMembers key={`m${s.updated_at}`} segment={s} />
                </div>
                <div class="col">
                  <SegmentHistory key={`h${s.updated_at}`} segment={s} />
                </div>
              </div>
            ) : null}
          </>
        )}
      </AsyncView>
    </section>
  );
}
