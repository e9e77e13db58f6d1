import { App, type Segment } from '../api';
import { describe } from '../conditions';
import { Link, num, useAsync } from '../lib';
import { Async, Badge, Empty, ErrorBox, PageTitle, Time } from '../ui';

/** Segment counts, a few at a time so a long list does not flood the server. */
async function counts(segments: Segment[], signal: AbortSignal): Promise<Map<number, number | Error>> {
  const out = new Map<number, number | Error>();
  const queue = [...segments];
  const worker = async () => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      try {
        out.set(s.id, (await App.segmentCount(s.id, signal)).count);
      } catch (err) {
        if (signal.aborted) throw err;
        out.set(s.id, err as Error);
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

export function Segments() {
  const list = useAsync((s) => App.segments(s).then((r) => r.segments), []);
  const sizes = useAsync(
    (s) => (list.data ? counts(list.data, s) : Promise.resolve(new Map<number, number | Error>())),
    [list.data],
  );
  return (
    <section>
      <PageTitle
        actions={
          <Link href="/segments/new" class="button primary">
            New segment
          </Link>
        }
      >
        Segments
      </PageTitle>
      <Async state={list} what="Segments" label="Loading segments…">
        {(segments) =>
          segments.length === 0 ? (
            <Empty>
              No segments yet. <Link href="/segments/new">Create one</Link> from conditions on attributes,
              devices and events.
            </Empty>
          ) : (
            <div class="table-wrap">
              <table data-testid="segments-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col" class="num">
                      People
                    </th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {segments.map((s) => {
                    const n = sizes.data?.get(s.id);
                    return (
                      <tr key={s.id}>
                        <th scope="row">
                          <Link href={`/segments/${s.id}`}>{s.name}</Link>
                          {s.conditions ? (
                            <div class="muted small clamp">{describe(s.conditions, segments)}</div>
                          ) : s.description ? (
                            <div class="muted small clamp">{s.description}</div>
                          ) : null}
                        </th>
                        <td>
                          <Badge tone={s.type === 'dynamic' ? 'info' : 'neutral'}>{s.type ?? 'manual'}</Badge>
                        </td>
                        <td class="num" aria-busy={n === undefined ? 'true' : 'false'}>
                          {n === undefined ? (
                            <span class="muted">…</span>
                          ) : n instanceof Error ? (
                            <span class="muted" title={n.message}>
                              ?
                            </span>
                          ) : (
                            num(n)
                          )}
                        </td>
                        <td>
                          <Time unix={s.updated_at} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {sizes.error ? <ErrorBox error={sizes.error} what="Counts" retry={sizes.reload} /> : null}
            </div>
          )
        }
      </Async>
    </section>
  );
}
