import type { AppActivity } from '@roster/protocol';
import type { ComponentChildren } from 'preact';
import { activityTitle } from '../models/activity';
import { personLabel, platformName } from '../models/format';
import { objectHref, objectIdsIn } from '../models/objects';
import { statusTone } from '../models/status';
import { Badge } from './badge';
import { ActivityData } from './activity-data';
import { ChangeList } from './change-list';
import { Link } from './link';
import { TimeAgo } from './time-ago';
import { Token } from './token';

/** One activity in a timeline: a title in words, who (in the workspace feed), when, and its details. */
export function ActivityItem({ a, withPerson = false }: { a: AppActivity; withPerson?: boolean }) {
  const data = (a.data ?? {}) as Record<string, unknown>;
  let body: ComponentChildren = null;
  switch (a.type) {
    case 'attribute_change':
      body = <ChangeList changes={data} />;
      break;
    case 'device_change': {
      const other = (
        data.action === 'moved_in' ? data.from : data.action === 'moved_out' ? data.to : undefined
      ) as { id?: string | null; email?: string | null; cio_id?: string } | undefined;
      const changes = data.changes as Record<string, { from?: unknown; to?: unknown }> | undefined;
      body = (
        <>
          <p>
            {data.platform ? `${platformName(String(data.platform))} ` : ''}
            <Token value={String(data.token ?? a.name ?? '')} />
            {other ? (
              <>
                {' '}
                {data.action === 'moved_in' ? 'from' : 'to'}{' '}
                {other.cio_id ? (
                  <Link href={`/people/${encodeURIComponent(other.cio_id)}`}>
                    {other.email ?? other.id ?? other.cio_id}
                  </Link>
                ) : (
                  'another person'
                )}
              </>
            ) : null}
          </p>
          {changes ? <ChangeList changes={changes} /> : null}
        </>
      );
      break;
    }
    case 'event':
    case 'screen':
    case 'page':
      body = <ActivityData data={data} />;
      break;
    case 'entered_segment':
    case 'exited_segment':
      body = (
        <p>
          <Link href={`/segments/${String(data.segment_id)}`}>
            {String(data.segment_name ?? a.name ?? `#${String(data.segment_id)}`)}
          </Link>
        </p>
      );
      break;
    case 'add_relationship':
    case 'delete_relationship':
    case 'relationship_attribute_change':
    case 'relationship_failed_attribute_change': {
      const ids = objectIdsIn(data);
      const { object_type_id: _t, object_id: _o, cio_object_id: _c, ...rest } = data;
      body = (
        <>
          {ids ? (
            <p>
              <Link href={objectHref(ids)}>{ids.object_id}</Link>{' '}
              <span class="muted small">(type {ids.object_type_id})</span>
            </p>
          ) : null}
          <ActivityData data={rest} />
        </>
      );
      break;
    }
    case 'profile_create':
      break;
    case 'profile_delete':
      body = <p class="muted">{String(data.reason ?? '')}</p>;
      break;
    default:
      if (a.type.endsWith('_push')) {
        const status = a.type.replace(/_push$/, '');
        body = (
          <p>
            <Badge tone={statusTone(status)}>{status}</Badge> {a.delivery_type ?? ''} delivery{' '}
            <Token value={a.delivery_id ?? String(data.delivery_id ?? '')} />
            {data.failure_message ? <span class="muted"> — {String(data.failure_message)}</span> : null}
          </p>
        );
      } else body = <ActivityData data={data} />;
  }
  return (
    <li class={`activity t-${a.type}`}>
      <div class="activity-head">
        <strong>{activityTitle(a)}</strong>
        {withPerson && a.customer_identifiers ? (
          <>
            {' · '}
            <Link href={`/people/${encodeURIComponent(a.customer_identifiers.cio_id)}`}>
              {personLabel(a.customer_identifiers)}
            </Link>
          </>
        ) : null}
        <span class="muted small">
          {' '}
          <TimeAgo unix={a.timestamp} />
        </span>
      </div>
      {body}
    </li>
  );
}
