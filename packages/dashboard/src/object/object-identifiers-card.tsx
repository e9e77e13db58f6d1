import type { AppObject } from '@roster/protocol';
import { TimeAgo } from '../components/time-ago';

/** Which object this is: its type, its id, Roster's cio_object_id, when it was created and changed. */
export function ObjectIdentifiersCard({ o, typeName }: { o: AppObject; typeName: string }) {
  const ids = o.identifiers;
  return (
    <section class="card" aria-labelledby="h-ids">
      <h2 id="h-ids">Identifiers</h2>
      <dl class="kv" data-testid="object-identifiers">
        <dt>type</dt>
        <dd>
          {typeName} <span class="muted">({ids.object_type_id})</span>
        </dd>
        <dt>object_id</dt>
        <dd>
          <code>{ids.object_id}</code>
        </dd>
        <dt>cio_object_id</dt>
        <dd>
          <code>{ids.cio_object_id}</code>
        </dd>
        <dt>created</dt>
        <dd>
          <TimeAgo unix={o.created_at} />
        </dd>
        <dt>updated</dt>
        <dd>
          <TimeAgo unix={o.updated_at} />
        </dd>
      </dl>
    </section>
  );
}
