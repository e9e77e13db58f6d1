import type { ObjectActivitiesPage } from '@roster/protocol';
import type { ComponentChildren } from 'preact';
import { ActivityData } from '../components/activity-data';
import { ChangeList } from '../components/change-list';
import { Link } from '../components/link';
import { RelationshipAttributes } from '../components/relationship-attributes';
import { TimeAgo } from '../components/time-ago';
import { personLabel } from '../models/format';
import { objectActivityKind, objectActivityTitle } from '../models/objects';

type ObjectActivity = ObjectActivitiesPage['activities'][number];
type Person = { id?: string | null; email?: string | null; cio_id?: string };
type Changes = Record<string, { from?: unknown; to?: unknown }>;

/** One entry of an object's history: what happened, to whom (for relationships), when. */
export function ObjectActivityItem({ a }: { a: ObjectActivity }) {
  const kind = objectActivityKind(a.type);
  const data = (a.data ?? {}) as Record<string, unknown>;
  let body: ComponentChildren = null;
  const person = data.person as Person | undefined;
  const who = person?.cio_id ? (
    <Link href={`/people/${encodeURIComponent(person.cio_id)}`}>
      {personLabel({ id: person.id ?? null, email: person.email ?? null, cio_id: person.cio_id })}
    </Link>
  ) : null;
  switch (kind) {
    case 'create':
      break;
    case 'attribute_change':
      body = <ChangeList changes={data as Changes} />;
      break;
    case 'add_relationship':
      body = (
        <>
          <p>{who}</p>
          {data.relationship_attributes && typeof data.relationship_attributes === 'object' ? (
            <RelationshipAttributes value={data.relationship_attributes as Record<string, unknown>} />
          ) : null}
        </>
      );
      break;
    case 'relationship_attribute_change':
      body = (
        <>
          <p>{who}</p>
          {data.changes ? <ChangeList changes={data.changes as Changes} /> : null}
        </>
      );
      break;
    case 'delete_relationship':
      body = <p>{who}</p>;
      break;
    case 'delete':
      body =
        typeof data.relationships === 'number' ? (
          <p class="muted">{data.relationships} relationships removed</p>
        ) : null;
      break;
    default:
      body = <ActivityData data={data} />;
  }
  return (
    <li class={`activity t-${kind}`}>
      <div class="activity-head">
        <strong>{objectActivityTitle(a.type)}</strong>
        <span class="muted small">
          {' '}
          <TimeAgo unix={a.timestamp} />
        </span>
      </div>
      {body}
    </li>
  );
}
