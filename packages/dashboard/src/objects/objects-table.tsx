import type { AppObject } from '@roster/protocol';
import { AttrValue } from '../components/attr-value';
import { Link } from '../components/link';
import { TimeAgo } from '../components/time-ago';
import { objectHref, objectLabel } from '../models/objects';
import { CardTable } from '../components/card-table';

/** How many of an object's attributes the list shows beside its name. */
const SHOWN = 3;

/** A page of objects: name (or id), id, a few attributes, last change; cards under 600px. */
export function ObjectsTable({ objects, page }: { objects: AppObject[]; page: number }) {
  return (
    <CardTable
      testId="objects-table"
      kind="objects"
      caption={`Objects, page ${page}`}
      columns={[{ label: 'Object' }, { label: 'ID' }, { label: 'Attributes' }, { label: 'Last updated' }]}
    >
      {objects.map((o) => {
        const names = Object.keys(o.attributes)
          .filter((k) => k !== 'name')
          .sort();
        return (
          <tr key={o.identifiers.cio_object_id}>
            <th scope="row">
              <Link href={objectHref(o.identifiers)}>
                {objectLabel(o.identifiers.object_id, o.attributes)}
              </Link>
            </th>
            <td data-label="ID">
              <code>{o.identifiers.object_id}</code>
            </td>
            <td data-label="Attributes">
              {names.length === 0 ? (
                <span class="muted">—</span>
              ) : (
                <dl class="kv compact inline-kv">
                  {names.slice(0, SHOWN).map((k) => [
                    <dt key={`k-${k}`}>{k}</dt>,
                    <dd key={`v-${k}`}>
                      <AttrValue value={o.attributes[k]!} />
                    </dd>,
                  ])}
                  {names.length > SHOWN ? <dd class="muted small">and {names.length - SHOWN} more</dd> : null}
                </dl>
              )}
            </td>
            <td data-label="Last updated">
              <TimeAgo unix={o.updated_at} />
            </td>
          </tr>
        );
      })}
    </CardTable>
  );
}
